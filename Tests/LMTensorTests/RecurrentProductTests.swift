import Testing
import Numerics
@testable import LMTensor

@Suite struct RecurrentProductTests {
    /// Shapes with full tiles, ragged rows, ragged columns, strided operands, and sizes large
    /// enough to be split across threads, with each register tile (whatever this host has).
    @Test(arguments: [RecurrentProduct.Tile.rows8cols32, .rows6cols16],
          [(32, 64, 96), (5, 7, 33), (9, 40, 70), (32, 512, 512), (3, 16, 200), (17, 100, 31), (20, 200, 808)])
    func matchesTripleLoop(tile: RecurrentProduct.Tile, shape: (Int, Int, Int)) {
        let (m, k, n) = shape
        var rng = SplitMix64(seed: UInt64(m * 1000 + n))
        let lda = k + 3, ldw = n + 5, ldc = n + 2
        let a = randomArray(m * lda, in: -1...1, &rng).map(Float.init)
        let w = randomArray(k * ldw, in: -1...1, &rng).map(Float.init)
        var c = randomArray(m * ldc, in: -1...1, &rng).map(Float.init)
        let c0 = c
        a.withUnsafeBufferPointer { ap in w.withUnsafeBufferPointer { wp in c.withUnsafeMutableBufferPointer { cp in
            RecurrentProduct.accumulate(m: m, n: n, k: k, a: ap.baseAddress!, lda: lda, w: wp.baseAddress!, ldw: ldw,
                                        c: cp.baseAddress!, ldc: ldc, tile: tile)
        } } }
        for r in 0..<m {
            for j in 0..<ldc {
                var expected = Double(c0[r * ldc + j])
                if j < n { for p in 0..<k { expected += Double(a[r * lda + p]) * Double(w[p * ldw + j]) } }
                #expect(Double(c[r * ldc + j]).isApproximatelyEqual(to: expected, absoluteTolerance: 1e-4),
                        "C[\(r), \(j)]")
            }
        }
    }
}
