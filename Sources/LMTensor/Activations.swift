/// Element-wise activations and their derivatives, over contiguous buffers.
///
/// The forward functions dispatch to the element type's kernels (vectorised for `Float`);
/// the derivative helpers take the *activation output* (as the backward pass stores it)
/// and multiply the incoming gradient in place, which is the fused form backward needs.
/// ``Reference`` holds plain-loop twins used by the tests.
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

/// Generic plain-loop kernels behind the `TensorScalar` requirements (specialised per
/// conformance inside this module).
@usableFromInline
enum Kernels {
    @inline(__always)
    static func tanh<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        for i in 0..<n { y[i] = T.tanh(x[i]) }
    }

    @inline(__always)
    static func sigmoid<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        for i in 0..<n {
            let v = x[i]
            // Stable on both sides: never exponentiates a large positive number.
            if v >= 0 {
                y[i] = 1 / (1 + T.exp(-v))
            } else {
                let e = T.exp(v)
                y[i] = e / (1 + e)
            }
        }
    }

    @inline(__always)
    static func relu<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        for i in 0..<n { y[i] = x[i] > 0 ? x[i] : 0 }
    }

    @inline(__always)
    static func sumOfSquares<T: TensorScalar>(_ x: UnsafePointer<T>, _ n: Int) -> Double {
        // Accumulate in the element type in blocks (vectorisable), then in Double.
        var total = 0.0
        var i = 0
        while i < n {
            let end = Swift.min(i + 4096, n)
            var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
            var j = i
            while j + 4 <= end {
                s0 += x[j] * x[j]; s1 += x[j + 1] * x[j + 1]
                s2 += x[j + 2] * x[j + 2]; s3 += x[j + 3] * x[j + 3]
                j += 4
            }
            while j < end { s0 += x[j] * x[j]; j += 1 }
            total += Double(s0) + Double(s1) + Double(s2) + Double(s3)
            i = end
        }
        return total
    }

    @inline(__always)
    static func scale<T: TensorScalar>(_ x: UnsafeMutablePointer<T>, _ n: Int, _ f: T) {
        for i in 0..<n { x[i] *= f }
    }

    @inline(__always)
    static func axpy<T: TensorScalar>(_ a: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        for i in 0..<n { y[i] += a * x[i] }
    }
}

/// Vectorised `Float` transcendental kernels (16 lanes; Cephes-style polynomials).
///
/// `exp` has a relative error below 2e-7 on [−87, 88]; `tanh` uses the odd polynomial for
/// |x| < 0.625 and 1 − 2 / (e^{2|x|} + 1) beyond, absolute error below 2e-7; `sigmoid` is
/// 1 / (1 + e^−x) with the argument clamped, absolute error below 2e-7.
@usableFromInline
enum VectorMath {
    typealias V = SIMD16<Float>

    @inline(__always)
    static func exp(_ xIn: V) -> V {
        let x0 = xIn.clamped(lowerBound: V(repeating: -87.0), upperBound: V(repeating: 88.0))
        let fx = (x0 * 1.44269504088896341 + 0.5).rounded(.down)
        var x = x0 - fx * 0.693359375
        x = x - fx * -2.12194440e-4
        let z = x * x
        var y = V(repeating: 1.9875691500E-4)
        y = y * x + 1.3981999507E-3
        y = y * x + 8.3334519073E-3
        y = y * x + 4.1665795894E-2
        y = y * x + 1.6666665459E-1
        y = y * x + 5.0000001201E-1
        y = y * z + x + 1
        let n = SIMD16<Int32>(truncatingIfNeeded: SIMD16<Int32>(fx, rounding: .towardZero)) &+ 127
        let scale = unsafeBitCast(n &<< 23, to: V.self)
        return y * scale
    }

    @inline(__always)
    static func tanh(_ x: V) -> V {
        let ax = pointwiseMax(x, -x)
        // Large branch: 1 − 2 / (e^{2|x|} + 1), sign restored.
        let e = exp(ax + ax)
        var big = 1 - 2 / (e + 1)
        big.replace(with: -big, where: x .< 0)
        // Small branch: x + x³ P(x²).
        let z = x * x
        var p = V(repeating: -5.70498872745E-3)
        p = p * z + 2.06390887954E-2
        p = p * z - 5.37397155531E-2
        p = p * z + 1.33314422036E-1
        p = p * z - 3.33332819422E-1
        let small = p * z * x + x
        var r = big
        r.replace(with: small, where: ax .< 0.625)
        return r
    }

    @inline(__always)
    static func sigmoid(_ x: V) -> V {
        1 / (1 + exp(-x))
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V {
        UnsafeRawPointer(p).loadUnaligned(as: V.self)
    }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n { store(tanh(load(x + i)), y + i); i += 16 }
        if i < n {
            var tmp = V(repeating: 0)
            for j in 0..<(n - i) { tmp[j] = x[i + j] }
            let r = tanh(tmp)
            for j in 0..<(n - i) { y[i + j] = r[j] }
        }
    }

    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n { store(sigmoid(load(x + i)), y + i); i += 16 }
        if i < n {
            var tmp = V(repeating: 0)
            for j in 0..<(n - i) { tmp[j] = x[i + j] }
            let r = sigmoid(tmp)
            for j in 0..<(n - i) { y[i + j] = r[j] }
        }
    }
}
