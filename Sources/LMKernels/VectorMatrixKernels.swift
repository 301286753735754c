/// y += x · W for a row vector x (k) and a row-major matrix W (k × n, row stride `stride`),
/// W read once, in place, with 16-lane fused multiply-adds: the kernels behind LMTensor's
/// `VectorMatrix` (which tells where each is used), written once and inlined into each
/// instruction set's module (LMKernelsAVX2, LMKernelsAVX512).
///
/// ``wide(_:_:rows:cols:stride:into:backwards:)`` sums every column on its own accumulator
/// over the rows in order, in blocks of 256, 128, 64, 16, 4 and 1 columns, all in that same
/// order, so a column's result does not depend on the block that holds it.
/// ``narrow(_:_:rows:cols:stride:into:)`` is for few columns: the rows go round-robin over
/// four accumulator sets, added at the end.
public enum VectorMatrixKernels {
    @usableFromInline typealias V16 = SIMD16<Float>
    @usableFromInline typealias V4 = SIMD4<Float>

    /// The wide kernel (see the type's comment), its 256-column blocks last to first when `backwards`.
    @inlinable @inline(__always)
    public static func wide(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rows k: Int, cols n: Int, stride: Int,
                            into y: UnsafeMutablePointer<Float>, backwards: Bool) {
        let wider = n / 256
        for b in 0..<wider {
            let j = (backwards ? wider - 1 - b : b) * 256
            var a0 = V16(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0
            var c0 = V16(), c1 = a0, c2 = a0, c3 = a0, c4 = a0, c5 = a0, c6 = a0, c7 = a0
            var r = w + j
            for i in 0..<k {
                let xi = V16(repeating: x[i])
                a0 = a0.addingProduct(xi, load16(r)); a1 = a1.addingProduct(xi, load16(r + 16))
                a2 = a2.addingProduct(xi, load16(r + 32)); a3 = a3.addingProduct(xi, load16(r + 48))
                a4 = a4.addingProduct(xi, load16(r + 64)); a5 = a5.addingProduct(xi, load16(r + 80))
                a6 = a6.addingProduct(xi, load16(r + 96)); a7 = a7.addingProduct(xi, load16(r + 112))
                c0 = c0.addingProduct(xi, load16(r + 128)); c1 = c1.addingProduct(xi, load16(r + 144))
                c2 = c2.addingProduct(xi, load16(r + 160)); c3 = c3.addingProduct(xi, load16(r + 176))
                c4 = c4.addingProduct(xi, load16(r + 192)); c5 = c5.addingProduct(xi, load16(r + 208))
                c6 = c6.addingProduct(xi, load16(r + 224)); c7 = c7.addingProduct(xi, load16(r + 240))
                r += stride
            }
            let o = y + j
            add(a0, to: o); add(a1, to: o + 16); add(a2, to: o + 32); add(a3, to: o + 48)
            add(a4, to: o + 64); add(a5, to: o + 80); add(a6, to: o + 96); add(a7, to: o + 112)
            add(c0, to: o + 128); add(c1, to: o + 144); add(c2, to: o + 160); add(c3, to: o + 176)
            add(c4, to: o + 192); add(c5, to: o + 208); add(c6, to: o + 224); add(c7, to: o + 240)
        }
        let base = wider * 256
        let wide = (n - base) / 128
        for b in 0..<wide {
            let j = base + b * 128
            var a0 = V16(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0
            var r = w + j
            for i in 0..<k {
                let xi = V16(repeating: x[i])
                a0 = a0.addingProduct(xi, load16(r)); a1 = a1.addingProduct(xi, load16(r + 16))
                a2 = a2.addingProduct(xi, load16(r + 32)); a3 = a3.addingProduct(xi, load16(r + 48))
                a4 = a4.addingProduct(xi, load16(r + 64)); a5 = a5.addingProduct(xi, load16(r + 80))
                a6 = a6.addingProduct(xi, load16(r + 96)); a7 = a7.addingProduct(xi, load16(r + 112))
                r += stride
            }
            let o = y + j
            add(a0, to: o); add(a1, to: o + 16); add(a2, to: o + 32); add(a3, to: o + 48)
            add(a4, to: o + 64); add(a5, to: o + 80); add(a6, to: o + 96); add(a7, to: o + 112)
        }
        var j = base + wide * 128
        if j + 64 <= n {
            var a0 = V16(), a1 = a0, a2 = a0, a3 = a0
            var r = w + j
            for i in 0..<k {
                let xi = V16(repeating: x[i])
                a0 = a0.addingProduct(xi, load16(r)); a1 = a1.addingProduct(xi, load16(r + 16))
                a2 = a2.addingProduct(xi, load16(r + 32)); a3 = a3.addingProduct(xi, load16(r + 48))
                r += stride
            }
            let o = y + j
            add(a0, to: o); add(a1, to: o + 16); add(a2, to: o + 32); add(a3, to: o + 48)
            j += 64
        }
        while j + 16 <= n {
            var a0 = V16()
            var r = w + j
            for i in 0..<k { a0 = a0.addingProduct(V16(repeating: x[i]), load16(r)); r += stride }
            add(a0, to: y + j)
            j += 16
        }
        while j + 4 <= n {
            var a0 = V4()
            var r = w + j
            for i in 0..<k { a0 = a0.addingProduct(V4(repeating: x[i]), load4(r)); r += stride }
            add(a0, to: y + j)
            j += 4
        }
        while j < n {
            var s: Float = 0
            var r = w + j
            for i in 0..<k { s = s.addingProduct(x[i], r.pointee); r += stride }
            y[j] += s
            j += 1
        }
    }

    /// The narrow kernel (see the type's comment): columns in chunks of two 16-lane blocks,
    /// the last block of a row overlapping the one before when the width is not a multiple
    /// of 16 (its repeated lanes are zeroed before the store); widths under 16 in 4-lane
    /// blocks and singly. Rows go round-robin over four accumulator sets.
    @inlinable @inline(__always)
    public static func narrow(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rows k: Int, cols n: Int, stride: Int,
                              into y: UnsafeMutablePointer<Float>) {
        let k4 = k & ~3
        if n >= 16 {
            var j = 0
            while j < n {
                // Blocks at c0 and c1 (c1 == c0 when one block is left), each 16 wide.
                let c0 = min(j, n - 16)
                let two = c0 + 16 < n
                let c1 = two ? min(c0 + 16, n - 16) : c0
                var a0 = V16(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0
                var r = w
                var i = 0
                while i < k4 {
                    let x0 = V16(repeating: x[i]), x1 = V16(repeating: x[i + 1])
                    let x2 = V16(repeating: x[i + 2]), x3 = V16(repeating: x[i + 3])
                    a0 = a0.addingProduct(x0, load16(r + c0)); b0 = b0.addingProduct(x0, load16(r + c1))
                    a1 = a1.addingProduct(x1, load16(r + stride + c0)); b1 = b1.addingProduct(x1, load16(r + stride + c1))
                    a2 = a2.addingProduct(x2, load16(r + 2 * stride + c0)); b2 = b2.addingProduct(x2, load16(r + 2 * stride + c1))
                    a3 = a3.addingProduct(x3, load16(r + 3 * stride + c0)); b3 = b3.addingProduct(x3, load16(r + 3 * stride + c1))
                    r += 4 * stride
                    i += 4
                }
                while i < k {
                    let x0 = V16(repeating: x[i])
                    a0 = a0.addingProduct(x0, load16(r + c0)); b0 = b0.addingProduct(x0, load16(r + c1))
                    r += stride
                    i += 1
                }
                // Lanes of a block below j were stored by the previous chunk.
                var a = (a0 + a1) + (a2 + a3)
                let lanes = V16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
                a.replace(with: 0, where: lanes .< V16(repeating: Float(j - c0)))
                add(a, to: y + c0)
                if two {
                    var b = (b0 + b1) + (b2 + b3)
                    b.replace(with: 0, where: lanes .< V16(repeating: Float(c0 + 16 - c1)))
                    add(b, to: y + c1)
                }
                j = two ? c1 + 16 : c0 + 16
            }
            return
        }
        var j = 0
        while j + 4 <= n {
            var a0 = V4(), a1 = a0, a2 = a0, a3 = a0
            var r = w + j
            var i = 0
            while i < k4 {
                a0 = a0.addingProduct(V4(repeating: x[i]), load4(r))
                a1 = a1.addingProduct(V4(repeating: x[i + 1]), load4(r + stride))
                a2 = a2.addingProduct(V4(repeating: x[i + 2]), load4(r + 2 * stride))
                a3 = a3.addingProduct(V4(repeating: x[i + 3]), load4(r + 3 * stride))
                r += 4 * stride
                i += 4
            }
            while i < k { a0 = a0.addingProduct(V4(repeating: x[i]), load4(r)); r += stride; i += 1 }
            add((a0 + a1) + (a2 + a3), to: y + j)
            j += 4
        }
        while j < n {
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            var r = w + j
            var i = 0
            while i < k4 {
                s0 = s0.addingProduct(x[i], r.pointee)
                s1 = s1.addingProduct(x[i + 1], r[stride])
                s2 = s2.addingProduct(x[i + 2], r[2 * stride])
                s3 = s3.addingProduct(x[i + 3], r[3 * stride])
                r += 4 * stride
                i += 4
            }
            while i < k { s0 = s0.addingProduct(x[i], r.pointee); r += stride; i += 1 }
            y[j] += (s0 + s1) + (s2 + s3)
            j += 1
        }
    }
}
