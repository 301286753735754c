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
