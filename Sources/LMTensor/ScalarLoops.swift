import RealModule

/// The generic plain-loop kernels behind `Double`'s `TensorScalar` requirements (and the few
/// `Float` ones that need no hand-written SIMD), specialised per conformance inside this module.
@usableFromInline
enum ScalarLoops {
    @inline(__always)
    static func tanh<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        for i in 0..<n { y[i] = T.tanh(x[i]) }
    }

    @inline(__always)
    static func sigmoid<T: TensorScalar>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        for i in 0..<n { y[i] = sigmoid(x[i]) }
    }

    /// σ(v), stable on both sides: never exponentiates a large positive number.
    @inlinable @inline(__always)
    static func sigmoid<T: TensorScalar>(_ v: T) -> T {
        if v >= 0 { return 1 / (1 + T.exp(-v)) }
        let e = T.exp(v)
        return e / (1 + e)
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
    static func vectorMatrix<T: TensorScalar>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ k: Int, _ n: Int, _ stride: Int,
                                              _ y: UnsafeMutablePointer<T>) {
        for j in 0..<n {
            var s: T = 0
            for i in 0..<k { s = s.addingProduct(x[i], w[i * stride + j]) }
            y[j] += s
        }
    }

    @inline(__always)
    static func axpy<T: TensorScalar>(_ a: T, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        for i in 0..<n { y[i] += a * x[i] }
    }
}
