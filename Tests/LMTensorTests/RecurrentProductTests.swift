import Testing
import Numerics
@testable import LMTensor
import LMKernels

@Suite struct RecurrentProductTests {
    /// Shapes with full tiles, ragged rows, ragged columns, strided operands, and sizes large
    /// enough to be split across threads, with each register tile (whatever this host has),
    /// through each kernel set this CPU runs.
    @Test(arguments: [RecurrentProduct.Tile.rows8cols32, .rows6cols16],
          [(32, 64, 96), (5, 7, 33), (9, 40, 70), (32, 512, 512), (3, 16, 200), (17, 100, 31), (20, 200, 808),
           (50, 64, 96), (9, 129, 70), (50, 257, 64), (10, 33, 64), (14, 20, 40), (15, 9, 32), (13, 5, 64), (2, 8, 32)])
    func matchesTripleLoop(tile: RecurrentProduct.Tile, shape: (Int, Int, Int)) {
        check(tile: tile, shape: shape, ldwPadding: 5)
    }

    /// Ragged last columns with W exactly k × n (no padding after its last row), so the
    /// kernel's wide loads of W must stop before its end: PTB's H = 650 and 200 (n = H in the
    /// backward product, 4H = 2600 forward), k = 1, and ragged widths 1 and 15.
    @Test(arguments: [RecurrentProduct.Tile.rows8cols32, .rows6cols16],
          [(20, 2600, 650), (20, 800, 200), (20, 650, 2600), (4, 1, 41), (9, 3, 1), (3, 5, 47)])
    func raggedColumnsStayInsideW(tile: RecurrentProduct.Tile, shape: (Int, Int, Int)) {
        check(tile: tile, shape: shape, ldwPadding: 0)
    }

    /// The descending column order (odd steps of a layer) adds the same products in the same
    /// order into each element of C: bit-identical to ascending, split across threads or not.
    @Test(arguments: [RecurrentProduct.Tile.rows8cols32, .rows6cols16],
          [(20, 650, 2600), (20, 2600, 650), (50, 256, 1024), (5, 7, 33), (17, 100, 31), (32, 512, 512)])
    func descendingOrderGivesTheSameBits(tile: RecurrentProduct.Tile, shape: (Int, Int, Int)) {
        for kernels in KernelSet.allCases where kernels.isSupported { descendingOrderGivesTheSameBits(tile: tile, shape: shape, kernels: kernels) }
    }

    func descendingOrderGivesTheSameBits(tile: RecurrentProduct.Tile, shape: (Int, Int, Int), kernels: KernelSet) {
        let (m, k, n) = shape
        var rng = SplitMix64(seed: UInt64(m * 7 + n))
        let a = randomArray(m * k, in: -1...1, &rng).map(Float.init)
        let w = randomArray(k * n, in: -1...1, &rng).map(Float.init)
        let c0 = randomArray(m * n, in: -1...1, &rng).map(Float.init)
        func product(descending: Bool) -> [Float] {
            var c = c0
            a.withUnsafeBufferPointer { ap in w.withUnsafeBufferPointer { wp in c.withUnsafeMutableBufferPointer { cp in
                RecurrentProduct.accumulate(m: m, n: n, k: k, a: ap.baseAddress!, lda: k, w: wp.baseAddress!, ldw: n,
                                            c: cp.baseAddress!, ldc: n, tile: tile, descending: descending, kernels: kernels)
            } } }
            return c
        }
        let ascending = product(descending: false), descending = product(descending: true)
        #expect(ascending.map(\.bitPattern) == descending.map(\.bitPattern))
        #expect(ascending != c0)
    }

    /// A time step split by units (``RecurrentStep``: parts of 16 units, each part's columns in
    /// every gate block) gives the bits of one unsplit step, ragged widths (H mod 16 ≠ 0) and
    /// k chunked (k > 128) included: the same columns are ragged in every gate block either way.
    @Test(arguments: [(20, 650, 650, 4), (50, 256, 256, 4), (20, 200, 200, 4), (9, 150, 70, 3), (5, 7, 33, 2), (3, 2600, 650, 1), (4, 40, 20, 1)])
    func aStepSplitByUnitsGivesTheBitsOfTheWholeStep(shape: (m: Int, k: Int, units: Int, gates: Int)) {
        let (m, k, h, gates) = shape, n = gates * h
        var rng = SplitMix64(seed: UInt64(m * 31 + k))
        let a = randomArray(m * k, in: -1...1, &rng).map(Float.init)
        let w = randomArray(k * n, in: -1...1, &rng).map(Float.init)
        let c0 = randomArray(m * n, in: -1...1, &rng).map(Float.init)
        func step(parts: Int) -> [Float] {
            var c = c0
            a.withUnsafeBufferPointer { ap in w.withUnsafeBufferPointer { wp in c.withUnsafeMutableBufferPointer { cp in
                for p in 0..<parts {
                    let units = RecurrentStep.part(p, of: parts, units: h)
                    Float.recurrentUnits(m: m, k: k, units: units, gates: gates, blockWidth: h, a: ap.baseAddress!, lda: k,
                                         w: wp.baseAddress!, ldw: n, c: cp.baseAddress!, ldc: n, descending: p % 2 == 1)
                }
            } } }
            return c
        }
        let whole = step(parts: 1)
        #expect(whole != c0)
        for parts in [2, 3, 8] {
            let split = step(parts: parts)
            #expect(zip(split, whole).filter { $0.bitPattern != $1.bitPattern }.isEmpty, "\(parts) parts")
        }
    }

    /// A step's parts cover its units once, in order, each starting at a multiple of 16 and
    /// none more than 16 units larger than another.
    @Test func aStepsPartsShareTheUnitsEvenly() {
        for units in [1, 15, 16, 17, 20, 64, 200, 256, 384, 512, 650, 1150] {
            for parts in 1...min(8, (units + 15) / 16) {
                let ranges = (0..<parts).map { RecurrentStep.part($0, of: parts, units: units) }
                #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == units)
                #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                #expect(ranges.allSatisfy { !$0.isEmpty && $0.lowerBound % 16 == 0 }, "\(units) in \(parts): \(ranges)")
                let sizes = ranges.map(\.count)
                #expect(sizes.max()! - sizes.min()! <= 16, "\(units) in \(parts): \(sizes)")
            }
        }
        #expect(RecurrentStep.part(7, of: 8, units: 650) == 560..<650)
    }

    /// Every batch is tiled exactly: 8-row tiles, at most one 6 and one 4, then fewer than 4
    /// single rows, and none when m mod 8 is 2 (from 10 on), 4 or 6.
    @Test func rowTilesCoverEveryRowOnce() {
        for m in 0...130 {
            let t = RecurrentTiles.rowTiles(m)
            let singles = m - 8 * t.eights - (t.six ? 6 : 0) - (t.four ? 4 : 0)
            #expect(singles >= 0 && singles < 4, "m = \(m)")
            if [4, 6].contains(m % 8) || (m % 8 == 2 && m >= 10) { #expect(singles == 0, "m = \(m)") }
        }
        #expect(RecurrentTiles.rowTiles(50) == (5, true, true))
        #expect(RecurrentTiles.rowTiles(20) == (2, false, true))
    }

    /// k is walked in equal chunks of at most 128 that cover it exactly: 650 = 6 chunks of
    /// 109 (the last 105), 256 = 2 × 128, 129 = 65 + 64, and k ≤ 128 in one.
    @Test func kChunksCoverKInEqualParts() {
        for k in 1...3000 {
            let chunk = RecurrentTiles.kChunk(k), chunks = (k + chunk - 1) / chunk
            #expect(chunk <= 128 || chunks == 1, "k = \(k)")
            #expect(chunk >= 64 || k < 128, "k = \(k)")
            #expect(k - (chunks - 1) * chunk > 0 && k - (chunks - 1) * chunk <= chunk, "k = \(k)")
        }
        #expect(RecurrentTiles.kChunk(650) == 109)
        #expect(RecurrentTiles.kChunk(256) == 128)
        #expect(RecurrentTiles.kChunk(129) == 65)
        #expect(RecurrentTiles.kChunk(100) == 100)
    }

    func check(tile: RecurrentProduct.Tile, shape: (Int, Int, Int), ldwPadding: Int) {
        for kernels in KernelSet.allCases where kernels.isSupported { check(tile: tile, shape: shape, ldwPadding: ldwPadding, kernels: kernels) }
    }

    func check(tile: RecurrentProduct.Tile, shape: (Int, Int, Int), ldwPadding: Int, kernels: KernelSet) {
        let (m, k, n) = shape
        var rng = SplitMix64(seed: UInt64(m * 1000 + n))
        let lda = k + 3, ldw = n + ldwPadding, ldc = n + 2
        let a = randomArray(m * lda, in: -1...1, &rng).map(Float.init)
        let w = randomArray(k * ldw, in: -1...1, &rng).map(Float.init)   // exactly k × ldw: nothing after it
        var c = randomArray(m * ldc, in: -1...1, &rng).map(Float.init)
        let c0 = c
        a.withUnsafeBufferPointer { ap in w.withUnsafeBufferPointer { wp in c.withUnsafeMutableBufferPointer { cp in
            RecurrentProduct.accumulate(m: m, n: n, k: k, a: ap.baseAddress!, lda: lda, w: wp.baseAddress!, ldw: ldw,
                                        c: cp.baseAddress!, ldc: ldc, tile: tile, kernels: kernels)
        } } }
        for r in 0..<m {
            for j in 0..<ldc {
                var expected = Double(c0[r * ldc + j]), magnitude = 0.0
                if j < n {
                    for p in 0..<k {
                        let product = Double(a[r * lda + p]) * Double(w[p * ldw + j])
                        expected += product
                        magnitude += abs(product)
                    }
                }
                // Float accumulation: errors grow with Σ|a·w| (k = 2600 sums to hundreds).
                #expect(Double(c[r * ldc + j]).isApproximatelyEqual(to: expected, absoluteTolerance: max(1e-4, 1e-6 * magnitude)),
                        "\(kernels) C[\(r), \(j)]")
            }
        }
    }
}
