import LMModelFiles
import LMModels

/// NT-ASGD (Merity et al. 2018): after every epoch, AWD-LSTM's non-monotone trigger on the
/// epoch's metric (validation perplexity, else training); once it fires, the running average
/// of the weights after every update (``WeightAverage``), which validation, test, samples and
/// `model.safetensors` use. Its state is ``AveragingState`` and the `optimizer.ax.*` tensors.
final class AveragingHook: TrainingHook {
    /// Epochs a metric must be worse than the best before them by (`nonmono`; unused once
    /// averaging has begun).
    let nonmonotone: Int
    private var average = WeightAverage()
    /// The model's parameters, gathered once (the per-step path allocates nothing).
    private let parameters: [Parameter<Float>]

    /// The hook for `parameters`; `averaging` starts the average with the first update (a
    /// fine-tuning stage), instead of at the trigger.
    init(nonmonotone: Int, parameters: [Parameter<Float>], averaging: Bool = false) {
        self.nonmonotone = nonmonotone
        self.parameters = parameters
        if averaging { average.start() }
    }

    /// Runs `body` with the average in the parameters once averaging has begun (else the
    /// weights as they are); the training weights are back in place after.
    func withAverage<T>(_ body: () throws -> T) rethrows -> T {
        try average.withAverage(in: parameters, body)
    }

    func stepFinished(_ trainer: Trainer) {
        average.accumulate(parameters)
    }

    /// Starts averaging when the metric is worse than the best of the epochs more than
    /// `nonmonotone` epochs ago, else records the metric.
    func epochFinished(_ report: EpochReport, _ trainer: Trainer) throws {
        var averaging = trainer.state.averaging ?? AveragingState()
        guard averaging.triggerEpoch == nil else { return }
        let metric = report.validationPerplexity ?? report.trainPerplexity
        if averaging.triggers(metric: metric, nonmonotone: nonmonotone) {
            averaging.triggerEpoch = report.epoch
            average.start()
        } else {
            averaging.history.append(metric)
        }
        trainer.state.averaging = averaging
    }

    func saving(_ state: inout TrainerState, tensors: inout [SafeTensors.Tensor], _ trainer: Trainer) {
        if state.averaging != nil || average.isAveraging {
            var averaging = state.averaging ?? AveragingState()
            averaging.updates = average.updates
            state.averaging = averaging
        }
        tensors += average.stateTensors(for: parameters)
    }

    func restored(_ state: TrainerState, tensors: [String: SafeTensors.Tensor], _ trainer: Trainer) throws {
        try average.restore(tensors: tensors, isAveraging: state.averaging?.isAveraging ?? false,
                            updates: state.averaging?.updates ?? 0, parameters: parameters)
    }
}
