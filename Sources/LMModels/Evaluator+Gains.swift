import Foundation
import LMData
import LMSettings
import LMTensor

extension Evaluator {
    /// Mean cross-entropy (nats per token) and perplexity of `model` on `stream` read as one
    /// sequence in segments of `steps`, the state carried from zero, with the test-time
    /// `gains` (``EvaluationGains``): every next-token prediction is scored by the cache
    /// pointer's mixture (``CachePointer``, else the model alone), and with dynamic evaluation
    /// (``DynamicEvaluation``) each segment is scored first, then backpropagated (its mean
    /// cross-entropy under the model alone, no dropout) and the weights stepped
    /// θ ← θ + decay (θ₀ − θ) − lr ∇θ before the next segment; with both, the pointer reads
    /// the updated model. Without gains it is ``evaluate(_:on:batch:steps:)`` with batch 1.
    ///
    /// The model is left as it was: its carried state, and with dynamic evaluation its trained
    /// weights θ₀, are put back; its gradients are left zero.
    ///
    /// - Returns: the mean loss, its exponential and the number of predictions (stream.count − 1).
    /// - Throws: ``SettingsError`` for gains that cannot work (``EvaluationGains/validate()``);
    ///   ``ModelError/tooFewTokens(_:)`` for a stream under 2 tokens; model errors for ids
    ///   outside its vocabulary.
    public static func evaluate(_ model: RecurrentLM<Float>, on stream: TokenStream, steps: Int,
                                gains: EvaluationGains) throws -> (loss: Double, perplexity: Double, tokens: Int) {
        try gains.validate()
        guard !gains.isNone else { return try evaluate(model, on: stream, batch: 1, steps: steps) }
        let predictions = stream.count - 1
        guard predictions >= 1 else { throw ModelError.tooFewTokens(stream.count) }
        let top = model.cells[model.cells.count - 1], vocabulary = model.config.vocabularySize
        let segment = min(max(1, steps), predictions)
        let pointer = gains.cachePointer.map { PointerCache(settings: $0, width: top.hiddenSize, maxSteps: segment) }
        let update = gains.dynamicEvaluation.map { DynamicUpdate(settings: $0, parameters: model.parameters) }
        let saved = model.state
        defer {
            if let update {
                update.restore()
                model.zeroGradients()
            }
            try? model.setState(saved)
        }
        model.resetState()
        if update != nil { model.zeroGradients() }
        var ids = [Int32](repeating: 0, count: stream.count)
        ids.withUnsafeMutableBufferPointer { stream.copy(from: 0, count: stream.count, into: $0.baseAddress!) }
        var inputs = [Int32](repeating: 0, count: segment), targets = inputs
        var lossSum = 0.0, start = 0
        while start < predictions {
            let length = min(segment, predictions - start)
            if length != inputs.count { (inputs, targets) = ([Int32](repeating: 0, count: length), [Int32](repeating: 0, count: length)) }
            for t in 0..<length { (inputs[t], targets[t]) = (ids[start + t], ids[start + t + 1]) }
            let loss = try model.forward(inputs: inputs, targets: targets, steps: length, batch: 1, keepingOutputs: pointer != nil)
            if let pointer {
                let scores = model.outputLayer.scores
                lossSum += targets.withUnsafeBufferPointer {
                    pointer.segmentLoss(hidden: top.workspace.outputs, logits: scores.baseAddress!, vocabulary: vocabulary,
                                        targets: $0.baseAddress!, steps: length)
                }
            } else {
                lossSum += loss * Double(length)
            }
            if let update {
                try model.backward()
                update.step()
                model.zeroGradients()
            }
            start += length
        }
        let mean = lossSum / Double(predictions)
        return (mean, exp(mean), predictions)
    }
}
