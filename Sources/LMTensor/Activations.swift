/// Element-wise activations and their derivatives, over contiguous buffers.
///
/// The forward functions dispatch to the element type's kernels (vectorised for `Float`);
/// the derivative helpers take the *activation output* (as the backward pass stores it)
/// and multiply the incoming gradient in place, which is the fused form backward needs.
/// ``Reference`` holds plain-loop twins used by the tests; ``Lanes`` the same functions on
/// register values, for element-wise math written once over SIMD blocks and single elements.
public enum Activations {
    /// y = tanh(x), `count` elements.
    @inlinable
    public static func tanh<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
        T.tanh(x, y, count: count)
    }

    /// y = σ(x) = 1 / (1 + e^−x), `count` elements.
    @inlinable
    public static func sigmoid<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
        T.sigmoid(x, y, count: count)
    }

    /// y = max(x, 0), `count` elements.
    @inlinable
    public static func relu<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count: Int) {
        T.relu(x, y, count: count)
    }

    /// g[i] *= 1 − y[i]², the tanh derivative expressed through the output y = tanh(x).
    @inlinable
    public static func tanhBackward<T: TensorScalar>(output y: UnsafePointer<T>, gradient g: UnsafeMutablePointer<T>, count: Int) {
        for i in 0..<count { g[i] *= 1 - y[i] * y[i] }
    }

    /// g[i] *= y[i] (1 − y[i]), the sigmoid derivative expressed through y = σ(x).
    @inlinable
    public static func sigmoidBackward<T: TensorScalar>(output y: UnsafePointer<T>, gradient g: UnsafeMutablePointer<T>, count: Int) {
        for i in 0..<count { g[i] *= y[i] * (1 - y[i]) }
    }

    /// g[i] = 0 where y[i] ≤ 0, the ReLU derivative expressed through y = max(x, 0)
    /// (the derivative at 0 is taken as 0).
    @inlinable
    public static func reluBackward<T: TensorScalar>(output y: UnsafePointer<T>, gradient g: UnsafeMutablePointer<T>, count: Int) {
        for i in 0..<count where y[i] <= 0 { g[i] = 0 }
    }
}
