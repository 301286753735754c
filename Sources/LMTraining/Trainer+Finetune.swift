import LMModelFiles

extension Trainer {
    /// A fine-tuning stage's start (AWD-LSTM's `finetune.py`): the weights of `origin`'s best
    /// checkpoint, as its evaluation used them (NT-ASGD's average once it had begun), with the
    /// carried state reset. Averaging is already on from the first step (``Trainer/init``); the
    /// optimizer and everything else start afresh. A resume after this replaces the weights
    /// with its checkpoint's.
    /// - Returns: a line saying where the weights came from.
    func startFinetune(from origin: FinetuneOrigin) throws -> String {
        let source = try TrainingCheckpoint.readEvaluationWeights(from: origin.weights, into: model, like: state)
        model.resetState()
        let averaged = source.averaging?.isAveraging == true ? ", its NT-ASGD average" : ""
        return "fine-tuning \(origin.run): the weights of \(origin.weights) (epoch \(source.epoch)\(averaged)), averaged SGD from the first step"
    }
}
