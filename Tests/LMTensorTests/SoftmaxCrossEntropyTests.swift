import Testing
import Numerics
import Foundation
@testable import LMTensor

@Suite struct SoftmaxCrossEntropyTests {
    @Test func matchesReferenceLossAndGradient() throws {
        var rng = SplitMix64(seed: 3)
        let (rows, cols) = (9, 28)
        let z = randomArray(rows * cols, in: -4...4, &rng)
        let targets = (0..<rows).map { _ in Int32.random(in: 0..<Int32(cols), using: &rng) }
        let ref = Reference.softmaxCrossEntropy(logits: (0..<rows).map { Array(z[$0 * cols..<($0 + 1) * cols]) },
                                                targets: targets.map(Int.init))
        let (loss, grad) = try SoftmaxCrossEntropy.meanLoss(logits: Matrix<Float>(rows: rows, cols: cols, storage: z.map(Float.init)), targets: targets)
        #expect(loss.isApproximatelyEqual(to: ref.loss, absoluteTolerance: 1e-5))
        for r in 0..<rows { for c in 0..<cols {
            #expect(Double(grad[r, c]).isApproximatelyEqual(to: ref.gradient[r][c], absoluteTolerance: 1e-6))
        } }
        let (lossD, gradD) = try SoftmaxCrossEntropy.meanLoss(logits: Matrix<Double>(rows: rows, cols: cols, storage: z), targets: targets)
        #expect(lossD.isApproximatelyEqual(to: ref.loss, absoluteTolerance: 1e-12))
        #expect(gradD[2, 5].isApproximatelyEqual(to: ref.gradient[2][5], absoluteTolerance: 1e-14))
        // The Double kernel in place (gradient = logits), as meanLoss allows.
        var inPlace = z
        let lossInPlace = inPlace.withUnsafeMutableBufferPointer { p in
            targets.withUnsafeBufferPointer { t in
                SoftmaxCrossEntropy.meanLoss(logits: UnsafePointer(p.baseAddress!), rows: rows, cols: cols,
                                             targets: t.baseAddress!, gradient: p.baseAddress!)
            }
        }
        #expect(lossInPlace.isApproximatelyEqual(to: ref.loss, absoluteTolerance: 1e-12))
        #expect(inPlace == gradD.storage)
    }

    /// The gradient's column sums (the bias gradient the dense head takes from the loss pass),
    /// Float (blocks of 32 rows: one block, a ragged last block, many) and Double, against the
    /// column sums of the reference gradient.
    @Test(arguments: [1, 32, 70, 400])
    func columnSumsAreTheGradientsColumnSums(rows: Int) {
        var rng = SplitMix64(seed: UInt64(rows))
        let cols = 1_003
        let z = randomArray(rows * cols, in: -6...6, &rng)
        let targets = (0..<rows).map { _ in Int32.random(in: 0..<Int32(cols), using: &rng) }
        let ref = Reference.softmaxCrossEntropy(logits: (0..<rows).map { Array(z[$0 * cols..<($0 + 1) * cols]) },
                                                targets: targets.map(Int.init))
        let expected = (0..<cols).map { j in (0..<rows).reduce(0.0) { $0 + ref.gradient[$1][j] } }
        func sums<T: TensorScalar>(_ values: [T]) -> [T] {
            var gradient = [T](repeating: 0, count: rows * cols), sums = [T](repeating: 7, count: cols)
            values.withUnsafeBufferPointer { l in targets.withUnsafeBufferPointer { t in
                gradient.withUnsafeMutableBufferPointer { g in sums.withUnsafeMutableBufferPointer { s in
                    _ = SoftmaxCrossEntropy.meanLoss(logits: l.baseAddress!, rows: rows, cols: cols, targets: t.baseAddress!,
                                                     gradient: g.baseAddress!, columnSums: s.baseAddress!)
                } }
            } }
            return sums
        }
        let float = sums(z.map(Float.init)), double = sums(z)
        for j in 0..<cols {
            #expect(Double(float[j]).isApproximatelyEqual(to: expected[j], absoluteTolerance: 1e-6), "column \(j)")
            #expect(double[j].isApproximatelyEqual(to: expected[j], absoluteTolerance: 1e-13), "column \(j)")
        }
    }

    /// The Float kernel (16 lanes, rows split across the pool) against the Double reference at
    /// a width with a SIMD tail, with the gradient in its own buffer, in place, and absent; the
    /// loss is the same, bit for bit, whether the rows are split or not.
    @Test func floatKernelMatchesReferenceSplitOrNot() throws {
        var rng = SplitMix64(seed: 11)
        let (rows, cols) = (37, 1_003)
        let z = randomArray(rows * cols, in: -9...9, &rng)
        let targets = (0..<rows).map { _ in Int32.random(in: 0..<Int32(cols), using: &rng) }
        let ref = Reference.softmaxCrossEntropy(logits: (0..<rows).map { Array(z[$0 * cols..<($0 + 1) * cols]) },
                                                targets: targets.map(Int.init))
        let logits = z.map(Float.init)
        let saved = WorkerPool.shared.elementThreshold
        defer { WorkerPool.shared.elementThreshold = saved }
        var results: [(Double, [Float], [Float], Double)] = []
        for threshold in [Int.max, 0] {
            WorkerPool.shared.elementThreshold = threshold
            var gradient = [Float](repeating: 0, count: rows * cols)
            var inPlace = logits
            let (loss, lossInPlace, lossOnly): (Double, Double, Double) = logits.withUnsafeBufferPointer { l in
                targets.withUnsafeBufferPointer { t in
                    let a = gradient.withUnsafeMutableBufferPointer {
                        SoftmaxCrossEntropy.meanLoss(logits: l.baseAddress!, rows: rows, cols: cols, targets: t.baseAddress!, gradient: $0.baseAddress!)
                    }
                    let b = inPlace.withUnsafeMutableBufferPointer {
                        SoftmaxCrossEntropy.meanLoss(logits: UnsafePointer($0.baseAddress!), rows: rows, cols: cols, targets: t.baseAddress!, gradient: $0.baseAddress!)
                    }
                    let c = SoftmaxCrossEntropy.meanLoss(logits: l.baseAddress!, rows: rows, cols: cols, targets: t.baseAddress!)
                    return (a, b, c)
                }
            }
            #expect(loss.isApproximatelyEqual(to: ref.loss, absoluteTolerance: 1e-5))
            #expect(lossInPlace == loss && lossOnly == loss)
            #expect(inPlace == gradient)
            for r in 0..<rows { for c in 0..<cols {
                #expect(Double(gradient[r * cols + c]).isApproximatelyEqual(to: ref.gradient[r][c], absoluteTolerance: 1e-6))
            } }
            results.append((loss, gradient, inPlace, lossOnly))
        }
        #expect(results[0].0 == results[1].0 && results[0].1 == results[1].1 && results[0].3 == results[1].3)
    }

    @Test func aNaNLogitGivesANaNLoss() throws {
        for position in [3, 40] {   // in the SIMD body and in the tail
            var storage = [Float](repeating: 0.5, count: 2 * 41)
            storage[41 + position] = .nan
            let (loss, _) = try SoftmaxCrossEntropy.meanLoss(logits: Matrix<Float>(rows: 2, cols: 41, storage: storage), targets: [0, 0])
            #expect(loss.isNaN, "NaN at \(position)")
        }
    }

    @Test func stableForHugeLogits() throws {
        let logits = try Matrix<Float>(rows: 2, cols: 3, storage: [1000, 0, -1000, -5000, 5000, 4999])
        let (loss, grad) = try SoftmaxCrossEntropy.meanLoss(logits: logits, targets: [0, 2])
        // Row 0: loss 0; row 1: log(1 + e^-1) + 1 ≈ 1.3133.
        #expect(loss.isApproximatelyEqual(to: (0 + (Foundation.log(1 + Foundation.exp(-1.0)) + 1)) / 2, absoluteTolerance: 1e-5))
        #expect(grad.storage.allSatisfy { $0.isFinite })
        // Gradient rows sum to zero.
        #expect(abs(grad[1, 0] + grad[1, 1] + grad[1, 2]) < 1e-6)
    }

    @Test func rejectsBadTargets() {
        let logits = Matrix<Float>(rows: 2, cols: 3)
        #expect(throws: TensorError.self) { try SoftmaxCrossEntropy.meanLoss(logits: logits, targets: [0]) }
        #expect(throws: TensorError.self) { try SoftmaxCrossEntropy.meanLoss(logits: logits, targets: [0, 3]) }
    }
}
