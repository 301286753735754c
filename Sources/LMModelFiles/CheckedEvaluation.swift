import LMModels

/// An evaluation of a run on a text file, checked: its errors name both: the model's own errors
/// (`ModelError`) name the file, and a non-finite loss is an error naming the run.
public enum CheckedEvaluation {
    /// Runs `body` (an ``Evaluator`` call on the text at `path` with the model of the run
    /// `model`) and checks its loss is finite.
    public static func run(path: String, model: String,
                               _ body: () throws -> (loss: Double, perplexity: Double, tokens: Int)) throws
        -> (loss: Double, perplexity: Double, tokens: Int) {
        let result: (loss: Double, perplexity: Double, tokens: Int)
        do {
            result = try body()
        } catch let error as ModelError {
            throw ModelFileError.model(path: path, error)
        }
        guard result.loss.isFinite else {
            throw ModelFileError.damagedWeights(path: model, reason: "the loss on \(path) is \(result.loss) (a model with finite weights can overflow; retrain with a smaller optimizer.lr)")
        }
        return result
    }
}
