import Foundation
import LMData
import LMModelFiles
import LMModels

/// Validation: the perplexity of the validation stream after every epoch, with the weights
/// evaluation uses (``Trainer/withEvaluationWeights(_:)``), split across the ranks of a
/// data-parallel run. Draws no random numbers, so it cannot change a training batch.
final class ValidationHook: TrainingHook {
    let stream: TokenStream

    init(_ stream: TokenStream) { self.stream = stream }

    func epochMeasured(_ report: inout EpochReport, _ trainer: Trainer) throws {
        report.validationPerplexity = try trainer.withEvaluationWeights { try perplexity(trainer) }
    }

    private func perplexity(_ trainer: Trainer) throws -> Double {
        let options = trainer.config.training
        guard let parallel = trainer.parallel else {
            return try Evaluator.evaluate(trainer.model, on: stream, batch: options.evaluationBatch, steps: options.steps).perplexity
        }
        let part = try Evaluator.evaluate(trainer.model, on: stream, batch: options.evaluationBatch, steps: options.steps,
                                          part: parallel.rank, of: parallel.size)
        let total = try parallel.sum([part.lossSum, Double(part.tokens)])
        return exp(total[0] / total[1])
    }
}
