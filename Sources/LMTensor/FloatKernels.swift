import LMKernels

/// The `Float` kernels behind `Float`'s `TensorScalar` requirements and its ``Lanes``: the
/// transcendental functions on 16 SIMD lanes and on one value, over plain arithmetic and bit
/// operations (the 2ⁿ scale is built in the exponent bits with a magic-number rounding; a first version
/// with `SIMD16<Int32>(_:rounding:)` compiled to slow scalarised conversions, measured with
/// perf). Built for the floor, x86-64-v3 (AVX2, FMA): SSE2 code took four times as long per tanh.
///
/// `exp`: Cephes' degree-6 polynomial on r = x − n·ln2, 2ⁿ built in the exponent bits
/// (relative error < 2e-7 on [−87, 88]). `tanh(x) = sign(x)·(1 − u)/(1 + u)` with
/// u = e^{−2|x|} ≤ 1 (absolute error < 2e-7, never overflows). `sigmoid(x) = 1 / (1 + e^{−x})`
/// with the argument clamped (absolute error < 2e-7).
@usableFromInline
enum FloatKernels {
    @usableFromInline
    typealias V16 = SIMD16<Float>

    /// e^x on 16 lanes, x already in [−87, 88] (same polynomial as the scalar `expClamped`).
    @inlinable @inline(__always)
    static func exp16(_ x0: V16) -> V16 {
        let magic = V16(repeating: 12582912)
        let t = x0 * 1.44269504088896341 + magic
        let n = t - magic
        var x = x0 - n * 0.693359375
        x = x - n * -2.12194440e-4
        let z = x * x
        var y = V16(repeating: 1.9875691500E-4)
        y = y * x + 1.3981999507E-3
        y = y * x + 8.3334519073E-3
        y = y * x + 4.1665795894E-2
        y = y * x + 1.6666665459E-1
        y = y * x + 5.0000001201E-1
        y = y * z + x + 1
        let bits = (unsafeBitCast(t, to: SIMD16<UInt32>.self) &+ 127) &<< 23
        return y * unsafeBitCast(bits, to: V16.self)
    }

    /// Lane-wise max(a, b) as one compare and blend; a NaN in `a` stays (the standard
    /// library's `pointwiseMax` applies `maximum`'s NaN rule lane by lane, which compiles to
    /// scalar code).
    @inlinable @inline(__always)
    static func lanesMax(_ a: V16, _ b: V16) -> V16 { a.replacing(with: b, where: a .< b) }

    /// Lane-wise min(a, b) as one compare and blend; a NaN in `a` stays.
    @inlinable @inline(__always)
    static func lanesMin(_ a: V16, _ b: V16) -> V16 { a.replacing(with: b, where: b .< a) }

    @inlinable @inline(__always)
    static func sigmoid16(_ v: V16) -> V16 {
        let m = lanesMin(lanesMax(-v, V16(repeating: -87)), V16(repeating: 88))
        return 1 / (1 + exp16(m))
    }

    @inlinable @inline(__always)
    static func tanh16(_ v: V16) -> V16 {
        let b = unsafeBitCast(v, to: SIMD16<UInt32>.self)
        let a = unsafeBitCast(b & 0x7fff_ffff, to: V16.self)
        let u = exp16(lanesMax(-2 * a, V16(repeating: -87)))
        let t = (1 - u) / (1 + u)
        return unsafeBitCast(unsafeBitCast(t, to: SIMD16<UInt32>.self) | (b & 0x8000_0000), to: V16.self)
    }

    /// e^x for x already clamped to [−87, 88].
    @inlinable @inline(__always)
    static func expClamped(_ x0: Float) -> Float {
        let magic: Float = 12582912  // 1.5·2²³: adding it rounds to an integer kept in the low mantissa bits
        let t = x0 * 1.44269504088896341 + magic
        let n = t - magic
        var x = x0 - n * 0.693359375
        x = x - n * -2.12194440e-4
        let z = x * x
        var y: Float = 1.9875691500E-4
        y = y * x + 1.3981999507E-3
        y = y * x + 8.3334519073E-3
        y = y * x + 4.1665795894E-2
        y = y * x + 1.6666665459E-1
        y = y * x + 5.0000001201E-1
        y = y * z + x + 1
        // (bits(t) + 127) << 23 == (n + 127) << 23: the magic's own bits shift out.
        let scale = Float(bitPattern: (t.bitPattern &+ 127) &<< 23)
        return y * scale
    }

    @inlinable @inline(__always)
    static func clamp(_ x: Float) -> Float {
        let a = x < -87 ? -87 : x
        return a > 88 ? 88 : a
    }

    @inlinable @inline(__always)
    static func tanh(_ v: Float) -> Float {
        let sign = v.bitPattern & 0x8000_0000
        let m = -2 * Float(bitPattern: v.bitPattern & 0x7fff_ffff)
        let u = expClamped(m < -87 ? -87 : m)
        let t = (1 - u) / (1 + u)
        return Float(bitPattern: t.bitPattern | sign)
    }

    @inlinable @inline(__always)
    static func sigmoid(_ v: Float) -> Float {
        1 / (1 + expClamped(clamp(-v)))
    }

    /// y = tanh(x): 16 lanes at a time (explicit SIMD, so in-place calls need no alias
    /// checks), then a scalar tail.
    static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n { store16(tanh16(load16(x + i)), y + i); i += 16 }
        while i < n { y[i] = tanh(x[i]); i += 1 }
    }

    /// Σ x[i]²: blocks of 4,096 elements summed in `Float` on 4 × 16 lanes (memory-bound, where
    /// the generic kernel's four scalar chains are latency-bound), the blocks added in `Double`
    /// in order, so the result depends on the data only, not on the thread count.
    static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var total = 0.0
        var i = 0
        while i < n {
            let end = Swift.min(i + 4096, n)
            var s0 = SIMD16<Float>(repeating: 0), s1 = s0, s2 = s0, s3 = s0
            var j = i
            while j + 64 <= end {
                let a = load16(x + j), b = load16(x + j + 16), c = load16(x + j + 32), d = load16(x + j + 48)
                s0 = s0.addingProduct(a, a); s1 = s1.addingProduct(b, b)
                s2 = s2.addingProduct(c, c); s3 = s3.addingProduct(d, d)
                j += 64
            }
            while j + 16 <= end { let a = load16(x + j); s0 = s0.addingProduct(a, a); j += 16 }
            var tail: Float = 0
            while j < end { tail += x[j] * x[j]; j += 1 }
            total += Double(((s0 + s1) + (s2 + s3)).sum()) + Double(tail)
            i = end
        }
        return total
    }

    /// y = σ(x), as ``tanh(_:_:_:)``.
    static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        while i + 16 <= n { store16(sigmoid16(load16(x + i)), y + i); i += 16 }
        while i < n { y[i] = sigmoid(x[i]); i += 1 }
    }
}
