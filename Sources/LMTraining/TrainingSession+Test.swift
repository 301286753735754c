import Foundation
import LMData
import LMModels
import LMSettings

extension TrainingSession {
    /// The final test of a finished run on `test`, as the lines to report: the perplexity with
    /// the weights ``RunSettings/testModel`` chooses (the last, NT-ASGD's average once it has
    /// started, or the best checkpoint's), on the evaluation rows; then, with
    /// ``TrainingSettings/gains``, the perplexity with them, the text read as one sequence in
    /// segments of the training window (``Evaluator/evaluate(_:on:steps:gains:)``). The model's
    /// weights and state are as they were after.
    static func testReport(_ run: TrainingRun, on test: TokenStream) throws -> [String] {
        let trainer = run.trainer, training = trainer.config.training
        let gains = training.gains ?? EvaluationGains()
        let best = training.testModel == .best ? try bestModel(of: run) : nil
        func measure(_ model: RecurrentLM<Float>) throws -> [(loss: Double, perplexity: Double, tokens: Int)] {
            let plain = try Evaluator.evaluate(model, on: test, batch: training.evaluationBatch, steps: training.steps)
            guard !gains.isNone else { return [plain] }
            return [plain, try Evaluator.evaluate(model, on: test, steps: training.steps, gains: gains)]
        }
        let results = try best.map { try measure($0.model) } ?? trainer.withEvaluationWeights { try measure(trainer.model) }
        let which = best.map { " (the best-validation model, epoch \($0.epoch))" } ?? ""
        var lines = [String(format: "test perplexity %.3f over %d tokens", results[0].perplexity, results[0].tokens) + which]
        if results.count > 1 {
            lines.append(String(format: "test perplexity %.3f over %d tokens with ", results[1].perplexity, results[1].tokens) + gains.summary)
        }
        return lines
    }
}
