import Testing
@testable import LMTensor

/// The multi-row kernels give every row the bits of the single-row kernels on that row, for
/// any number of rows (groups of six, of four and the rest), widths under 16, not multiples of 16 and
/// row strides wider than the matrix, split across the worker pool or not; and both equal
/// their plain definitions.
@Suite struct VectorMatrixRowsTests {
    static let shapes: [(k: Int, n: Int, stride: Int)] = [
        (1, 1, 1), (3, 5, 7), (7, 15, 15), (6, 16, 16), (9, 17, 20), (13, 33, 33), (5, 40, 41), (64, 28, 28),
        (40, 64, 64), (11, 100, 100), (2, 127, 130), (37, 128, 131), (13, 200, 211), (5, 300, 300), (33, 520, 530),
    ]

    /// Random X (m rows, `xStride` apart), W (k × stride) and Y (m rows, `yStride` apart).
    static func operands(m: Int, k: Int, n: Int, stride: Int, xStride: Int, yStride: Int, _ rng: inout SplitMix64)
        -> (x: [Float], w: [Float], y: [Float]) {
        let w = (0..<k * stride).map { _ in Float.random(in: -1...1, using: &rng) }
        let x = (0..<m * xStride).map { _ in Float.random(in: -1...1, using: &rng) }
        let y = (0..<m * yStride).map { _ in Float.random(in: -1...1, using: &rng) }
        return (x, w, y)
    }

    /// Row by row through a single-row kernel.
    static func rowByRow(m: Int, x: [Float], xStride: Int, w: [Float], k: Int, n: Int, stride: Int, y: [Float], yStride: Int,
                         kernel: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        var out = y
        x.withUnsafeBufferPointer { xp in w.withUnsafeBufferPointer { wp in out.withUnsafeMutableBufferPointer { yp in
            for r in 0..<m { kernel(xp.baseAddress! + r * xStride, wp.baseAddress!, yp.baseAddress! + r * yStride) }
        } } }
        return out
    }

    static func same(_ a: [Float], _ b: [Float]) -> Bool { a.map(\.bitPattern) == b.map(\.bitPattern) }

    @Test func wideRowsEqualTheSingleRowKernelBitForBit() {
        var rng = SplitMix64(seed: 31)
        for (k, n, stride) in Self.shapes {
            for m in Array(1...9) + [11, 13, 14, 32] {
                let xStride = k + (m % 3) * 5, yStride = n + (m % 2) * 3
                let (x, w, y) = Self.operands(m: m, k: k, n: n, stride: stride, xStride: xStride, yStride: yStride, &rng)
                let expected = Self.rowByRow(m: m, x: x, xStride: xStride, w: w, k: k, n: n, stride: stride, y: y, yStride: yStride) {
                    VectorMatrix.accumulate($0, $1, rows: k, cols: n, stride: stride, into: $2)
                }
                for split in [false, true] {
                    var got = y
                    got.withUnsafeMutableBufferPointer { yp in
                        VectorMatrix.accumulate(vectors: m, x, xStride: xStride, w, rows: k, cols: n, stride: stride,
                                                into: yp.baseAddress!, yStride: yStride, schedule: .init(split: split))
                    }
                    #expect(Self.same(got, expected), "k \(k) n \(n) stride \(stride) rows \(m) split \(split)")
                }
                var plain = y
                plain.withUnsafeMutableBufferPointer { yp in
                    VectorMatrix.referenceAccumulate(vectors: m, x, xStride: xStride, w, rows: k, cols: n, stride: stride,
                                                     into: yp.baseAddress!, yStride: yStride)
                }
                #expect(Self.same(plain, expected), "reference: k \(k) n \(n) rows \(m)")
            }
        }
    }

    /// Large enough to split across the pool (m·k·n over the threshold): the same bits.
    @Test func splitProductsGiveTheSameBits() {
        var rng = SplitMix64(seed: 32)
        for (m, k, n) in [(5, 130, 200), (32, 64, 650), (9, 512, 512), (4, 200, 10_000)] {
            let (x, w, y) = Self.operands(m: m, k: k, n: n, stride: n, xStride: k, yStride: n, &rng)
            let expected = Self.rowByRow(m: m, x: x, xStride: k, w: w, k: k, n: n, stride: n, y: y, yStride: n) {
                VectorMatrix.accumulate($0, $1, rows: k, cols: n, stride: n, into: $2)
            }
            var got = y
            got.withUnsafeMutableBufferPointer { yp in
                VectorMatrix.accumulate(vectors: m, x, xStride: k, w, rows: k, cols: n, stride: n, into: yp.baseAddress!, yStride: n,
                                        schedule: .init(split: true))
            }
            #expect(Self.same(got, expected), "rows \(m) k \(k) n \(n)")
            var head = y
            head.withUnsafeMutableBufferPointer { yp in
                VectorMatrix.accumulateHead(vectors: m, x, xStride: k, w, rows: k, cols: n, stride: n, into: yp.baseAddress!, yStride: n,
                                            schedule: .init(split: true))
            }
            #expect(Self.same(head, expected), "head rows \(m) k \(k) n \(n)")
        }
    }

    @Test func headRowsEqualTheSingleRowHeadBitForBit() {
        var rng = SplitMix64(seed: 33)
        for (k, n, stride) in Self.shapes {
            for m in [1, 2, 3, 4, 5, 8, 9] {
                let xStride = k + 1, yStride = n + 2
                let (x, w, y) = Self.operands(m: m, k: k, n: n, stride: stride, xStride: xStride, yStride: yStride, &rng)
                let expected = Self.rowByRow(m: m, x: x, xStride: xStride, w: w, k: k, n: n, stride: stride, y: y, yStride: yStride) {
                    VectorMatrix.accumulateHead($0, $1, rows: k, cols: n, stride: stride, into: $2)
                }
                var got = y
                got.withUnsafeMutableBufferPointer { yp in
                    VectorMatrix.accumulateHead(vectors: m, x, xStride: xStride, w, rows: k, cols: n, stride: stride,
                                                into: yp.baseAddress!, yStride: yStride, schedule: .init())
                }
                #expect(Self.same(got, expected), "k \(k) n \(n) rows \(m)")
            }
        }
    }

    /// The narrow kernel against its plain definition (four interleaved chains), bit for bit.
    @Test func narrowKernelEqualsItsPlainDefinition() {
        var rng = SplitMix64(seed: 34)
        for (k, n, stride) in Self.shapes where n < 128 {
            for m in [1, 3] {
                let (x, w, y) = Self.operands(m: m, k: k, n: n, stride: stride, xStride: k, yStride: n, &rng)
                let expected = Self.rowByRow(m: m, x: x, xStride: k, w: w, k: k, n: n, stride: stride, y: y, yStride: n) {
                    VectorMatrix.accumulateNarrow($0, $1, rows: k, cols: n, stride: stride, into: $2)
                }
                var plain = y
                plain.withUnsafeMutableBufferPointer { yp in
                    VectorMatrix.referenceAccumulateNarrow(vectors: m, x, xStride: k, w, rows: k, cols: n, stride: stride,
                                                           into: yp.baseAddress!, yStride: n)
                }
                #expect(Self.same(plain, expected), "k \(k) n \(n) rows \(m)")
            }
        }
    }
}
