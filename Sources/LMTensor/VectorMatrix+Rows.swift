import CPrefetch
import LMKernels

/// The products of one generation step of many sequences at once: Y[r] += X[r] · W for the
/// m rows r of X and Y, reading W once per group of rows instead of once per row, each row's
/// result bit for bit that of the single-row kernel on that row.
///
/// ``accumulate(vectors:_:xStride:_:rows:cols:stride:into:yStride:schedule:)`` is the wide
/// kernel's twin: every column of every row is one fused multiply-add chain over k in order
/// from 0, started at zero, then added to y, which is exactly what
/// ``accumulate(_:_:rows:cols:stride:into:backwards:)`` computes whatever block holds the
/// column. Here the columns go in panels of 64 (k × 64 weights, in L2 while every group of
/// rows passes over them; the first group prefetches W's rows ahead), and within a panel six
/// rows × 16 columns at a time (twelve 256-bit accumulators under AVX2, six 512-bit ones
/// under AVX-512; groups of four for eight rows and the last one to four), then 4 and 1
/// columns for the last ones. A group short of rows repeats its first row in the missing
/// slots and stores only its own.
///
/// ``accumulateHead(vectors:_:xStride:_:rows:cols:stride:into:yStride:schedule:)`` is
/// ``accumulateHead(_:_:rows:cols:stride:into:)``'s: under 128 columns the narrow kernel row
/// by row (its four interleaved accumulator sets fix each column's order; a narrow W is a few
/// hundred KB at most and stays in cache between rows), from 128 on the multi-row wide kernel.
extension VectorMatrix {
    /// Y[r] (cols) += X[r] (rows) · W for r in 0..<m: X's rows `xStride` apart, Y's rows
    /// `yStride` apart, W rows × cols with row stride `stride`. Split across the
    /// ``WorkerPool`` by runs of 16-column blocks when `schedule` splits and the product is
    /// large; each row's result is bit for bit ``accumulate(_:_:rows:cols:stride:into:backwards:)``'s
    /// on that row, split or not. Y's rows must not overlap X or W.
    public static func accumulate(vectors m: Int, _ x: UnsafePointer<Float>, xStride: Int, _ w: UnsafePointer<Float>,
                                  rows k: Int, cols n: Int, stride: Int,
                                  into y: UnsafeMutablePointer<Float>, yStride: Int, schedule: Schedule) {
        let pool = WorkerPool.shared
        let blocks = n / 16
        guard schedule.split, pool.width > 1, m * k * n >= splitThreshold, blocks >= 2 else {
            accumulateRows(m, x, xStride, w, k, n, stride, y, yStride)
            return
        }
        let parts = min(pool.width, blocks)
        pool.run(parts: parts) { p in
            let lo = p * blocks / parts * 16
            let hi = p == parts - 1 ? n : (p + 1) * blocks / parts * 16
            accumulateRows(m, x, xStride, w + lo, k, hi - lo, stride, y + lo, yStride)
        }
    }

    /// The output head of m rows: ``accumulateNarrow(_:_:rows:cols:stride:into:)`` on each row
    /// under 128 columns (on the calling thread), the multi-row wide kernel from 128 on (split
    /// as `schedule` says). Each row's result is bit for bit
    /// ``accumulateHead(_:_:rows:cols:stride:into:)``'s on that row.
    public static func accumulateHead(vectors m: Int, _ x: UnsafePointer<Float>, xStride: Int, _ w: UnsafePointer<Float>,
                                      rows k: Int, cols n: Int, stride: Int,
                                      into y: UnsafeMutablePointer<Float>, yStride: Int, schedule: Schedule) {
        if n < 128 {
            for r in 0..<m { accumulateNarrow(x + r * xStride, w, rows: k, cols: n, stride: stride, into: y + r * yStride) }
        } else {
            accumulate(vectors: m, x, xStride: xStride, w, rows: k, cols: n, stride: stride, into: y, yStride: yStride, schedule: schedule)
        }
    }

    /// The multi-row wide kernel on the calling thread (see the extension's comment).
    static func accumulateRows(_ m: Int, _ x: UnsafePointer<Float>, _ ldx: Int, _ w: UnsafePointer<Float>, _ k: Int, _ n: Int,
                               _ stride: Int, _ y: UnsafeMutablePointer<Float>, _ ldy: Int) {
        let panel = 64
        var start = 0
        while start < n {
            let end = min(start + panel, n)
            var r = 0
            while r < m {
                let count = rowGroup(m - r)
                if count > 4 {
                    sixRows(count, x + r * ldx, ldx, w, k, start, end, stride, y + r * ldy, ldy, prefetch: r == 0)
                } else {
                    fourRows(count, x + r * ldx, ldx, w, k, start, end, stride, y + r * ldy, ldy, prefetch: r == 0)
                }
                r += count
            }
            start = end
        }
    }

    /// Rows of the next group when `left` rows remain: six (twelve 256-bit accumulators in the
    /// 16-column tile), but four for seven or eight (4 + 4, 4 + 3), and what is left under six.
    @inline(__always)
    static func rowGroup(_ left: Int) -> Int {
        switch left {
        case 7, 8: return 4
        default: return min(left, 6)
        }
    }

    /// Y[0..<count] += X[0..<count] · W over columns start..<end of W, count ≤ 4: 16 columns at a
    /// time, then 4, then 1; a missing row repeats row 0 and is not stored. With `prefetch`, W's
    /// rows are asked for a few rows ahead (the group that first reads a panel).
    @inline(__always)
    static func fourRows(_ count: Int, _ x0: UnsafePointer<Float>, _ ldx: Int, _ w: UnsafePointer<Float>, _ k: Int,
                         _ start: Int, _ end: Int, _ stride: Int, _ y0: UnsafeMutablePointer<Float>, _ ldy: Int, prefetch: Bool) {
        let x1 = count > 1 ? x0 + ldx : x0, x2 = count > 2 ? x0 + 2 * ldx : x0, x3 = count > 3 ? x0 + 3 * ldx : x0
        let ahead = prefetchRows * stride
        var j = start
        while j + 16 <= end {
            var a0 = V16(), a1 = a0, a2 = a0, a3 = a0
            var p = w + j
            for i in 0..<k {
                if prefetch { lmkit_prefetch(p + ahead) }
                let v = load16(p)
                a0 = a0.addingProduct(V16(repeating: x0[i]), v); a1 = a1.addingProduct(V16(repeating: x1[i]), v)
                a2 = a2.addingProduct(V16(repeating: x2[i]), v); a3 = a3.addingProduct(V16(repeating: x3[i]), v)
                p += stride
            }
            add(a0, to: y0 + j)
            if count > 1 { add(a1, to: y0 + ldy + j) }
            if count > 2 { add(a2, to: y0 + 2 * ldy + j) }
            if count > 3 { add(a3, to: y0 + 3 * ldy + j) }
            j += 16
        }
        while j + 4 <= end {
            var a0 = V4(), a1 = a0, a2 = a0, a3 = a0
            var p = w + j
            for i in 0..<k {
                let v = load4(p)
                a0 = a0.addingProduct(V4(repeating: x0[i]), v); a1 = a1.addingProduct(V4(repeating: x1[i]), v)
                a2 = a2.addingProduct(V4(repeating: x2[i]), v); a3 = a3.addingProduct(V4(repeating: x3[i]), v)
                p += stride
            }
            add(a0, to: y0 + j)
            if count > 1 { add(a1, to: y0 + ldy + j) }
            if count > 2 { add(a2, to: y0 + 2 * ldy + j) }
            if count > 3 { add(a3, to: y0 + 3 * ldy + j) }
            j += 4
        }
        while j < end {
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            var p = w + j
            for i in 0..<k {
                let v = p.pointee
                s0 = s0.addingProduct(x0[i], v); s1 = s1.addingProduct(x1[i], v)
                s2 = s2.addingProduct(x2[i], v); s3 = s3.addingProduct(x3[i], v)
                p += stride
            }
            y0[j] += s0
            if count > 1 { y0[ldy + j] += s1 }
            if count > 2 { y0[2 * ldy + j] += s2 }
            if count > 3 { y0[3 * ldy + j] += s3 }
            j += 1
        }
    }

    /// ``fourRows(_:_:_:_:_:_:_:_:_:_:prefetch:)`` for five or six rows: their 16-column blocks
    /// in one pass over W, the last columns (under 16) as two groups of four.
    @inline(__always)
    static func sixRows(_ count: Int, _ x0: UnsafePointer<Float>, _ ldx: Int, _ w: UnsafePointer<Float>, _ k: Int,
                        _ start: Int, _ end: Int, _ stride: Int, _ y0: UnsafeMutablePointer<Float>, _ ldy: Int, prefetch: Bool) {
        let x1 = x0 + ldx, x2 = x0 + 2 * ldx, x3 = x0 + 3 * ldx, x4 = x0 + 4 * ldx, x5 = count > 5 ? x0 + 5 * ldx : x0
        let ahead = prefetchRows * stride
        var j = start
        while j + 16 <= end {
            var a0 = V16(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0
            var p = w + j
            for i in 0..<k {
                if prefetch { lmkit_prefetch(p + ahead) }
                let v = load16(p)
                a0 = a0.addingProduct(V16(repeating: x0[i]), v); a1 = a1.addingProduct(V16(repeating: x1[i]), v)
                a2 = a2.addingProduct(V16(repeating: x2[i]), v); a3 = a3.addingProduct(V16(repeating: x3[i]), v)
                a4 = a4.addingProduct(V16(repeating: x4[i]), v); a5 = a5.addingProduct(V16(repeating: x5[i]), v)
                p += stride
            }
            add(a0, to: y0 + j); add(a1, to: y0 + ldy + j); add(a2, to: y0 + 2 * ldy + j); add(a3, to: y0 + 3 * ldy + j)
            add(a4, to: y0 + 4 * ldy + j)
            if count > 5 { add(a5, to: y0 + 5 * ldy + j) }
            j += 16
        }
        if j < end {
            fourRows(4, x0, ldx, w, k, j, end, stride, y0, ldy, prefetch: false)
            fourRows(count - 4, x4, ldx, w, k, j, end, stride, y0 + 4 * ldy, ldy, prefetch: false)
        }
    }

    /// Rows of W ahead that the first group of a panel prefetches.
    static let prefetchRows = 8
}

// MARK: - The plain definitions the kernels are tested against

extension VectorMatrix {
    /// The wide kernels' result, in plain loops: Y[r][j] += (fused multiply-add chain of
    /// X[r][i] · W[i][j] over i = 0..<k, started at zero), for every row r and column j.
    public static func referenceAccumulate(vectors m: Int, _ x: UnsafePointer<Float>, xStride: Int, _ w: UnsafePointer<Float>,
                                           rows k: Int, cols n: Int, stride: Int,
                                           into y: UnsafeMutablePointer<Float>, yStride: Int) {
        for r in 0..<m {
            for j in 0..<n {
                var s: Float = 0
                for i in 0..<k { s = s.addingProduct(x[r * xStride + i], w[i * stride + j]) }
                y[r * yStride + j] += s
            }
        }
    }

    /// The narrow kernel's result, in plain loops: for every row and column four fused
    /// multiply-add chains started at zero, chain c over the i < ⌊k/4⌋·4 with i mod 4 = c and
    /// chain 0 going on over the last k mod 4 rows, combined as (s0 + s1) + (s2 + s3) and added
    /// to y. (Where two of the kernel's 16-lane blocks overlap, the second adds a zeroed lane:
    /// y + s is never -0 when s, a sum of chains started at +0, is not, so + 0 changes nothing.)
    public static func referenceAccumulateNarrow(vectors m: Int, _ x: UnsafePointer<Float>, xStride: Int, _ w: UnsafePointer<Float>,
                                                 rows k: Int, cols n: Int, stride: Int,
                                                 into y: UnsafeMutablePointer<Float>, yStride: Int) {
        let k4 = k & ~3
        for r in 0..<m {
            let xr = x + r * xStride, yr = y + r * yStride
            for j in 0..<n {
                var s: [Float] = [0, 0, 0, 0]
                for i in 0..<k {
                    let c = i < k4 ? i & 3 : 0
                    s[c] = s[c].addingProduct(xr[i], w[i * stride + j])
                }
                yr[j] += (s[0] + s[1]) + (s[2] + s[3])
            }
        }
    }
}
