import RealModule
import LMKernels

/// Consecutive elements held in registers: the unit that element-wise math (a layer's gates,
/// their gradients) is written over once and then run both as SIMD blocks and as single
/// elements. `SIMD16<Float>` (16 lanes) and the scalars `Float` and `Double` (one lane) conform;
/// ``TensorScalar/Block`` names each scalar's block type and ``LaneKernel/run(count:)`` walks
/// a row with it.
///
/// The activations are the element type's kernels, lane for lane: `Float`'s polynomial
/// approximations (``TensorScalar/tanh(_:_:count:)``) on 16 lanes or on one give the same bits,
/// so a unit's value does not depend on whether it fell in a block or in the tail; `Double`'s
/// are the C library's.
public protocol Lanes {
    /// The scalar in each lane.
    associatedtype Element
    /// Lanes per value.
    static var width: Int { get }
    /// The ``width`` elements at `p` (no alignment needed).
    static func load(_ p: UnsafePointer<Element>) -> Self
    /// Writes the ``width`` lanes to `p`.
    func store(_ p: UnsafeMutablePointer<Element>)
    /// 1 in every lane.
    static var one: Self { get }
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Self, rhs: Self) -> Self
    /// tanh of every lane.
    static func tanhActivation(_ x: Self) -> Self
    /// σ(x) = 1 / (1 + e^−x) of every lane.
    static func sigmoidActivation(_ x: Self) -> Self
    /// max(x, 0) of every lane (0 for NaN).
    static func reluActivation(_ x: Self) -> Self
    /// `gradient` where `output` > 0 or is NaN, else 0: ReLU's derivative through its output
    /// y = max(x, 0) (taken as 0 at 0), times the gradient.
    static func reluGradient(_ gradient: Self, output: Self) -> Self
}

extension SIMD16: Lanes where Scalar == Float {
    public typealias Element = Float
    @inlinable public static var width: Int { 16 }
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> { load16(p) }
    @inlinable @inline(__always)
    public func store(_ p: UnsafeMutablePointer<Float>) { store16(self, p) }
    @inlinable public static var one: SIMD16<Float> { SIMD16(repeating: 1) }
    @inlinable @inline(__always)
    public static func tanhActivation(_ x: SIMD16<Float>) -> SIMD16<Float> { FloatKernels.tanh16(x) }
    @inlinable @inline(__always)
    public static func sigmoidActivation(_ x: SIMD16<Float>) -> SIMD16<Float> { FloatKernels.sigmoid16(x) }
    @inlinable @inline(__always)
    public static func reluActivation(_ x: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16<Float>.zero.replacing(with: x, where: x .> 0)
    }
    @inlinable @inline(__always)
    public static func reluGradient(_ gradient: SIMD16<Float>, output: SIMD16<Float>) -> SIMD16<Float> {
        gradient.replacing(with: 0, where: output .<= 0)
    }
}

extension Float: Lanes {
    public typealias Element = Float
    @inlinable public static var width: Int { 1 }
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Float>) -> Float { p.pointee }
    @inlinable @inline(__always)
    public func store(_ p: UnsafeMutablePointer<Float>) { p.pointee = self }
    @inlinable public static var one: Float { 1 }
    @inlinable @inline(__always)
    public static func tanhActivation(_ x: Float) -> Float { FloatKernels.tanh(x) }
    @inlinable @inline(__always)
    public static func sigmoidActivation(_ x: Float) -> Float { FloatKernels.sigmoid(x) }
    @inlinable @inline(__always)
    public static func reluActivation(_ x: Float) -> Float { x > 0 ? x : 0 }
    @inlinable @inline(__always)
    public static func reluGradient(_ gradient: Float, output: Float) -> Float { output <= 0 ? 0 : gradient }
}

extension Double: Lanes {
    public typealias Element = Double
    @inlinable public static var width: Int { 1 }
    @inlinable @inline(__always)
    public static func load(_ p: UnsafePointer<Double>) -> Double { p.pointee }
    @inlinable @inline(__always)
    public func store(_ p: UnsafeMutablePointer<Double>) { p.pointee = self }
    @inlinable public static var one: Double { 1 }
    @inlinable @inline(__always)
    public static func tanhActivation(_ x: Double) -> Double { Double.tanh(x) }
    @inlinable @inline(__always)
    public static func sigmoidActivation(_ x: Double) -> Double { ScalarLoops.sigmoid(x) }
    @inlinable @inline(__always)
    public static func reluActivation(_ x: Double) -> Double { x > 0 ? x : 0 }
    @inlinable @inline(__always)
    public static func reluGradient(_ gradient: Double, output: Double) -> Double { output <= 0 ? 0 : gradient }
}
