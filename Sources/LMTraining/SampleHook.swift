import LMModelFiles
import LMModels

/// The periodic sample: after epoch 1, every `every` epochs and after the last, the text
/// `produce` makes from the model with the evaluation weights; the model's carried state is
/// restored after, and no random number of training is drawn.
final class SampleHook: TrainingHook {
    /// Produces a sample from the model (d2l's `predict`); nil for none.
    var produce: ((RecurrentLM<Float>) throws -> String)?
    /// Epochs between samples.
    var every = 10
    /// The sample of the epoch just finished, if it had one.
    private(set) var latest: String?

    func epochFinished(_ report: EpochReport, _ trainer: Trainer) throws {
        latest = nil
        guard let produce, report.epoch % every == 0 || report.epoch == trainer.config.training.epochs || report.epoch == 1 else { return }
        let model = trainer.model, saved = model.state
        latest = try trainer.withEvaluationWeights { try produce(model) }
        try? model.setState(saved)
    }
}
