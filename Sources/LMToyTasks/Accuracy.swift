import Foundation
import LMData
import LMModels
import LMTensor
import LMTraining

/// Next-token accuracy of a language model, as Chainer's `Evaluator` measures it on the
/// counting sequence: one non-repeating pass of a ``ParallelSequentialSampler`` over the
/// stream (`batch` cursors at equally spaced offsets), the state reset at the start and
/// carried across windows, and a prediction counted correct when the arg-max logit is the
/// next token. No gradient and no effect on training: the model's carried state is saved
/// before and restored after, and nothing random is drawn.
public enum Accuracy {
    /// The result of one evaluation pass.
    public struct Result: Equatable, Sendable {
        /// Mean cross-entropy (nats per prediction).
        public var loss: Double
        /// Fraction of predictions whose arg-max is the next token.
        public var accuracy: Double
        /// Predictions made (`⌈n / batch⌉ · batch` for a stream of n tokens).
        public var predictions: Int
    }

    /// Evaluates `model` on `stream` with `batch` cursors, in windows of up to `steps` calls.
    /// - Throws: ``TrainingError/corpusTooShort(_:)`` when the stream has fewer than
    ///   `max(2, batch)` tokens; model errors for ids outside its vocabulary.
    public static func evaluate(_ model: RecurrentLM<Float>, on stream: TokenStream, batch: Int, steps: Int) throws -> Result {
        var sampler: ParallelSequentialSampler
        do {
            sampler = try ParallelSequentialSampler(stream: stream, batchSize: batch, steps: max(1, steps), repeats: false)
        } catch let error as SamplerError {
            throw TrainingError.corpusTooShort("cannot measure accuracy: \(error)")
        }
        let saved = model.state
        defer { try? model.setState(saved) }
        model.resetState()
        var window = Batch()
        var inputs = [Int32](), targets = [Int32]()
        var lossSum = 0.0, correct = 0, predictions = 0
        while sampler.next(into: &window) {
            let filled = window.filledSteps, rows = window.batchSize
            window.timeMajor(inputs: &inputs, targets: &targets)
            let loss = try model.forward(inputs: inputs, targets: targets, steps: filled, batch: rows)
            let logits = model.logits
            for r in 0..<logits.rows {
                var best = 0
                for j in 1..<logits.cols where logits[r, j] > logits[r, best] { best = j }
                if best == Int(targets[r]) { correct += 1 }
            }
            lossSum += loss * Double(targets.count)
            predictions += targets.count
        }
        return Result(loss: lossSum / Double(max(predictions, 1)), accuracy: Double(correct) / Double(max(predictions, 1)),
                      predictions: predictions)
    }
}
