import CPrefetch

/// The register tiles of LMKit's recurrent product, C (m × n, row stride ldc) += A (m × k, lda)
/// · W (k × n, ldw) in `Float` with W read in place (LMTensor's ``RecurrentProduct`` tells why
/// and splits the columns across threads): written once, inlined into each instruction set's
/// module (LMKernelsAVX2, LMKernelsAVX512), which compiles it for its CPU.
///
/// Two tilings: 8 rows × 32 columns (16 SIMD16 accumulators, for AVX-512's 32 registers of
/// 16 floats) and 6 rows × 16 columns (12 of AVX2's 16 registers of 8 floats), with smaller
/// tiles for the rows and columns left over; every element of C adds its k products in order
/// in chunks of ``kChunk(_:)``, so neither the tiling nor the instruction set changes a bit.
public enum RecurrentTiles {
    @usableFromInline typealias V = SIMD16<Float>
    /// Rows of W ahead that the first tile of each column strip prefetches (the strip is in L2
    /// for the tiles below it).
    @inlinable static var prefetchDistance: Int { 8 }

    /// C[0..<8, 0..<32] += A[0..<8, 0..<k] · W[0..<k, 0..<32].
    @inlinable @inline(__always)
    public static func tile8x32(_ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>, _ ldw: Int,
                         _ c: UnsafeMutablePointer<Float>, _ ldc: Int, prefetch: Bool) {
        var c00 = V(repeating: 0), c01 = V(repeating: 0)
        var c10 = V(repeating: 0), c11 = V(repeating: 0)
        var c20 = V(repeating: 0), c21 = V(repeating: 0)
        var c30 = V(repeating: 0), c31 = V(repeating: 0)
        var c40 = V(repeating: 0), c41 = V(repeating: 0)
        var c50 = V(repeating: 0), c51 = V(repeating: 0)
        var c60 = V(repeating: 0), c61 = V(repeating: 0)
        var c70 = V(repeating: 0), c71 = V(repeating: 0)
        let a0 = a + 0 * lda
        let a1 = a + 1 * lda
        let a2 = a + 2 * lda
        let a3 = a + 3 * lda
        let a4 = a + 4 * lda
        let a5 = a + 5 * lda
        let a6 = a + 6 * lda
        let a7 = a + 7 * lda
        var wp = w
        let ahead = prefetchDistance * ldw
        for p in 0..<k {
            // W's rows are ldw apart, beyond the hardware prefetcher's reach: ask for row p + d.
            if prefetch { lmkit_prefetch(wp + ahead); lmkit_prefetch(wp + ahead + 16) }
            let w0 = load16(wp), w1 = load16(wp + 16)
            let x0 = V(repeating: a0[p]); c00 = c00.addingProduct(x0, w0); c01 = c01.addingProduct(x0, w1)
            let x1 = V(repeating: a1[p]); c10 = c10.addingProduct(x1, w0); c11 = c11.addingProduct(x1, w1)
            let x2 = V(repeating: a2[p]); c20 = c20.addingProduct(x2, w0); c21 = c21.addingProduct(x2, w1)
            let x3 = V(repeating: a3[p]); c30 = c30.addingProduct(x3, w0); c31 = c31.addingProduct(x3, w1)
            let x4 = V(repeating: a4[p]); c40 = c40.addingProduct(x4, w0); c41 = c41.addingProduct(x4, w1)
            let x5 = V(repeating: a5[p]); c50 = c50.addingProduct(x5, w0); c51 = c51.addingProduct(x5, w1)
            let x6 = V(repeating: a6[p]); c60 = c60.addingProduct(x6, w0); c61 = c61.addingProduct(x6, w1)
            let x7 = V(repeating: a7[p]); c70 = c70.addingProduct(x7, w0); c71 = c71.addingProduct(x7, w1)
            wp += ldw
        }
        add(c00, to: c + 0 * ldc); add(c01, to: c + 0 * ldc + 16)
        add(c10, to: c + 1 * ldc); add(c11, to: c + 1 * ldc + 16)
        add(c20, to: c + 2 * ldc); add(c21, to: c + 2 * ldc + 16)
        add(c30, to: c + 3 * ldc); add(c31, to: c + 3 * ldc + 16)
        add(c40, to: c + 4 * ldc); add(c41, to: c + 4 * ldc + 16)
        add(c50, to: c + 5 * ldc); add(c51, to: c + 5 * ldc + 16)
        add(c60, to: c + 6 * ldc); add(c61, to: c + 6 * ldc + 16)
        add(c70, to: c + 7 * ldc); add(c71, to: c + 7 * ldc + 16)
    }

    /// C[0..<6, 0..<32] += A[0..<6, 0..<k] · W[0..<k, 0..<32]: with a 4-row tile, the rows of a
    /// batch that is 2 or 6 more than a multiple of 8 (char-rnn's 50 = 8·5 + 6 + 4), which single
    /// rows would take with one FMA chain each, latency-bound.
    @inlinable @inline(__always)
    public static func tile6x32(_ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>, _ ldw: Int,
                         _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var c00 = V(repeating: 0), c01 = V(repeating: 0)
        var c10 = V(repeating: 0), c11 = V(repeating: 0)
        var c20 = V(repeating: 0), c21 = V(repeating: 0)
        var c30 = V(repeating: 0), c31 = V(repeating: 0)
        var c40 = V(repeating: 0), c41 = V(repeating: 0)
        var c50 = V(repeating: 0), c51 = V(repeating: 0)
        let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
        var wp = w
        for p in 0..<k {
            let w0 = load16(wp), w1 = load16(wp + 16)
            let x0 = V(repeating: a0[p]); c00 = c00.addingProduct(x0, w0); c01 = c01.addingProduct(x0, w1)
            let x1 = V(repeating: a1[p]); c10 = c10.addingProduct(x1, w0); c11 = c11.addingProduct(x1, w1)
            let x2 = V(repeating: a2[p]); c20 = c20.addingProduct(x2, w0); c21 = c21.addingProduct(x2, w1)
            let x3 = V(repeating: a3[p]); c30 = c30.addingProduct(x3, w0); c31 = c31.addingProduct(x3, w1)
            let x4 = V(repeating: a4[p]); c40 = c40.addingProduct(x4, w0); c41 = c41.addingProduct(x4, w1)
            let x5 = V(repeating: a5[p]); c50 = c50.addingProduct(x5, w0); c51 = c51.addingProduct(x5, w1)
            wp += ldw
        }
        add(c00, to: c); add(c01, to: c + 16)
        add(c10, to: c + ldc); add(c11, to: c + ldc + 16)
        add(c20, to: c + 2 * ldc); add(c21, to: c + 2 * ldc + 16)
        add(c30, to: c + 3 * ldc); add(c31, to: c + 3 * ldc + 16)
        add(c40, to: c + 4 * ldc); add(c41, to: c + 4 * ldc + 16)
        add(c50, to: c + 5 * ldc); add(c51, to: c + 5 * ldc + 16)
    }

    /// C[0..<4, 0..<32] += A[0..<4, 0..<k] · W[0..<k, 0..<32]: the rows an 8-row tile leaves
    /// (batch 20 = 8 + 8 + 4), reading W's strip once instead of four times.
    @inlinable @inline(__always)
    public static func tile4x32(_ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>, _ ldw: Int,
                         _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var c00 = V(repeating: 0), c01 = V(repeating: 0)
        var c10 = V(repeating: 0), c11 = V(repeating: 0)
        var c20 = V(repeating: 0), c21 = V(repeating: 0)
        var c30 = V(repeating: 0), c31 = V(repeating: 0)
        let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda
        var wp = w
        for p in 0..<k {
            let w0 = load16(wp), w1 = load16(wp + 16)
            let x0 = V(repeating: a0[p]); c00 = c00.addingProduct(x0, w0); c01 = c01.addingProduct(x0, w1)
            let x1 = V(repeating: a1[p]); c10 = c10.addingProduct(x1, w0); c11 = c11.addingProduct(x1, w1)
            let x2 = V(repeating: a2[p]); c20 = c20.addingProduct(x2, w0); c21 = c21.addingProduct(x2, w1)
            let x3 = V(repeating: a3[p]); c30 = c30.addingProduct(x3, w0); c31 = c31.addingProduct(x3, w1)
            wp += ldw
        }
        add(c00, to: c); add(c01, to: c + 16)
        add(c10, to: c + ldc); add(c11, to: c + ldc + 16)
        add(c20, to: c + 2 * ldc); add(c21, to: c + 2 * ldc + 16)
        add(c30, to: c + 3 * ldc); add(c31, to: c + 3 * ldc + 16)
    }

    /// C[0..<1, 0..<32] += A[0..<1, 0..<k] · W[0..<k, 0..<32].
    @inlinable @inline(__always)
    public static func tile1x32(_ k: Int, _ a: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ ldw: Int,
                         _ c: UnsafeMutablePointer<Float>) {
        var c0 = V(repeating: 0), c1 = V(repeating: 0)
        var wp = w
        for p in 0..<k {
            let x = V(repeating: a[p])
            c0 = c0.addingProduct(x, load16(wp)); c1 = c1.addingProduct(x, load16(wp + 16))
            wp += ldw
        }
        add(c0, to: c); add(c1, to: c + 16)
    }

    /// C[0..<6, 0..<16] += A[0..<6, 0..<k] · W[0..<k, 0..<16].
    @inlinable @inline(__always)
    public static func tile6x16(_ k: Int, _ a: UnsafePointer<Float>, _ lda: Int, _ w: UnsafePointer<Float>, _ ldw: Int,
                         _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        var c0 = V(repeating: 0), c1 = V(repeating: 0), c2 = V(repeating: 0)
        var c3 = V(repeating: 0), c4 = V(repeating: 0), c5 = V(repeating: 0)
        let a0 = a, a1 = a + lda, a2 = a + 2 * lda, a3 = a + 3 * lda, a4 = a + 4 * lda, a5 = a + 5 * lda
        var wp = w
        let ahead = prefetchDistance * ldw
        for p in 0..<k {
            lmkit_prefetch(wp + ahead)
            let w0 = load16(wp)
            c0 = c0.addingProduct(V(repeating: a0[p]), w0)
            c1 = c1.addingProduct(V(repeating: a1[p]), w0)
            c2 = c2.addingProduct(V(repeating: a2[p]), w0)
            c3 = c3.addingProduct(V(repeating: a3[p]), w0)
            c4 = c4.addingProduct(V(repeating: a4[p]), w0)
            c5 = c5.addingProduct(V(repeating: a5[p]), w0)
            wp += ldw
        }
        add(c0, to: c); add(c1, to: c + ldc); add(c2, to: c + 2 * ldc)
        add(c3, to: c + 3 * ldc); add(c4, to: c + 4 * ldc); add(c5, to: c + 5 * ldc)
    }

    /// C[0..<1, 0..<16] += A[0..<1, 0..<k] · W[0..<k, 0..<16].
    @inlinable @inline(__always)
    public static func tile1x16(_ k: Int, _ a: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ ldw: Int,
                         _ c: UnsafeMutablePointer<Float>) {
        var c0 = V(repeating: 0)
        var wp = w
        for p in 0..<k {
            c0 = c0.addingProduct(V(repeating: a[p]), load16(wp))
            wp += ldw
        }
        add(c0, to: c)
    }

    /// The columns `cols` of C += A · W on the calling thread, in column strips (32 wide for the
    /// 8 × 32 tile, then 16 wide, then the ragged last < 16), left to right or, when `descending`,
    /// right to left. The order changes no sum (each element of C adds its k products in order).
    @inlinable @inline(__always)
    public static func block(m: Int, k: Int, cols: Range<Int>, a: UnsafePointer<Float>, lda: Int,
                             w: UnsafePointer<Float>, ldw: Int, c: UnsafeMutablePointer<Float>, ldc: Int, wide32: Bool,
                             descending: Bool) {
        let wide = wide32 ? cols.count / 32 : 0
        let narrow = (cols.count - 32 * wide) / 16
        let ragged = cols.count - 32 * wide - 16 * narrow
        guard k > 0 else { return }
        let strips = wide + narrow + (ragged > 0 ? 1 : 0), chunk = kChunk(k)
        for i in 0..<strips {
            let s = descending ? strips - 1 - i : i
            if s < wide + narrow {
                // The strip's rows of W in chunks of ``kChunk(_:)``, each through all row tiles.
                for p in stride(from: 0, to: k, by: chunk) {
                    let kk = min(chunk, k - p), ap = a + p, wp = w + p * ldw
                    if s < wide {
                        strip32(m: m, k: kk, j: cols.lowerBound + 32 * s, a: ap, lda: lda, w: wp, ldw: ldw, c: c, ldc: ldc)
                    } else {
                        strip16(m: m, k: kk, j: cols.lowerBound + 32 * wide + 16 * (s - wide), a: ap, lda: lda, w: wp, ldw: ldw, c: c, ldc: ldc)
                    }
                }
            } else {
                raggedColumns(m: m, k: k, j: cols.upperBound - ragged, r: ragged, a: a, lda: lda, w: w, ldw: ldw, c: c, ldc: ldc)
            }
        }
    }

    /// How ``strip32(m:k:j:a:lda:w:ldw:c:ldc:)`` tiles m rows: 8-row tiles, then at most one
    /// 6-row and one 4-row tile, then single rows (m mod 8 = 2 trades an 8 for 6 + 4, so
    /// 50 = 8·5 + 6 + 4 has no single rows; 3, 5 and 7 leave one to three).
    @inlinable @inline(__always)
    public static func rowTiles(_ m: Int) -> (eights: Int, six: Bool, four: Bool) {
        let eights = m / 8
        switch m % 8 {
        case 2 where eights > 0: return (eights - 1, true, true)
        case 4, 5: return (eights, false, true)
        case 6, 7: return (eights, true, false)
        default: return (eights, false, false)
        }
    }

    /// The rows of W (and columns of A) per pass over a strip: k split into equal chunks of at
    /// most 128, so that a chunk of a 32-wide strip (16 KB) and of A (m · 128 floats, 25 KB at
    /// m = 50) stay in L1 while every row tile reads them. A whole-k strip is 83 KB at
    /// H = 650, and W's rows then came from L2 once per row tile.
    @inlinable @inline(__always)
    public static func kChunk(_ k: Int) -> Int {
        let chunks = (k + 127) / 128
        return chunks <= 1 ? k : (k + chunks - 1) / chunks
    }

    /// C[0..<m, j..<j + 32] += A · W[0..<k, j..<j + 32] in the row tiles of ``rowTiles(_:)``
    /// (the first 8-row tile prefetching W's rows ahead; the strip is then in cache for the others).
    /// Transparent, not `@inline(__always)`: the optimizer declined that hint here and called
    /// LMKernels' own copy, compiled for the floor, where the 8 × 32 tile spills its accumulators
    /// (bin/test-portable checks that each kernel set's module calls none of LMKernels' code).
    @_transparent
    public static func strip32(m: Int, k: Int, j: Int, a: UnsafePointer<Float>, lda: Int,
                        w: UnsafePointer<Float>, ldw: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let tiles = rowTiles(m)
        var r = 0
        for _ in 0..<tiles.eights {
            tile8x32(k, a + r * lda, lda, w + j, ldw, c + r * ldc + j, ldc, prefetch: r == 0)
            r += 8
        }
        if tiles.six {
            tile6x32(k, a + r * lda, lda, w + j, ldw, c + r * ldc + j, ldc)
            r += 6
        }
        if tiles.four {
            tile4x32(k, a + r * lda, lda, w + j, ldw, c + r * ldc + j, ldc)
            r += 4
        }
        while r < m {
            tile1x32(k, a + r * lda, w + j, ldw, c + r * ldc + j)
            r += 1
        }
    }

    /// C[0..<m, j..<j + 16] += A · W[0..<k, j..<j + 16]: 6-row tiles, then single rows.
    @inlinable @inline(__always)
    public static func strip16(m: Int, k: Int, j: Int, a: UnsafePointer<Float>, lda: Int,
                        w: UnsafePointer<Float>, ldw: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        var r = 0
        while r + 6 <= m {
            tile6x16(k, a + r * lda, lda, w + j, ldw, c + r * ldc + j, ldc)
            r += 6
        }
        while r < m {
            tile1x16(k, a + r * lda, w + j, ldw, c + r * ldc + j)
            r += 1
        }
    }

    /// C[0..<m, j..<j + r] += A · W[0..<k, j..<j + r] for the last r < 16 columns, one row of C
    /// at a time: 16-wide loads of W for all its rows but the last (the lanes past r read the
    /// start of W's next row and are discarded), the last row of W scalar, so nothing is read
    /// outside W.
    @inlinable @inline(__always)
    public static func raggedColumns(m: Int, k: Int, j: Int, r: Int, a: UnsafePointer<Float>, lda: Int,
                              w: UnsafePointer<Float>, ldw: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let last = w + (k - 1) * ldw + j
        for row in 0..<m {
            let ar = a + row * lda, cr = c + row * ldc + j
            var sum = V(repeating: 0)
            var wp = w + j
            for p in 0..<(k - 1) {
                sum = sum.addingProduct(V(repeating: ar[p]), load16(wp))
                wp += ldw
            }
            let x = ar[k - 1]
            for jj in 0..<r { cr[jj] += sum[jj] + x * last[jj] }
        }
    }
}
