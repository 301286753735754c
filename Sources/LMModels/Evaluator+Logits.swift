import LMData
import LMTensor

extension Evaluator {
    /// The logits of every next-token prediction of `stream`, read as one continuous row in
    /// windows of `steps` with the state carried (the same predictions ``evaluate(_:on:batch:steps:)``
    /// averages at batch 1): `(stream.count − 1) × vocabulary`, row i predicting token i + 1
    /// from tokens 0 … i. The model's carried state is saved before and restored after.
    ///
    /// - Throws: ``ModelError/tooFewTokens(_:)`` for a stream under 2 tokens; model errors
    ///   for ids outside its vocabulary.
    public static func logits(_ model: RecurrentLM<Float>, on stream: TokenStream, steps: Int) throws -> [Float] {
        let predictions = stream.count - 1
        guard predictions >= 1 else { throw ModelError.tooFewTokens(stream.count) }
        let v = model.config.vocabularySize
        let saved = model.state
        defer { try? model.setState(saved) }
        model.resetState()
        var ids = [Int32](repeating: 0, count: stream.count)
        ids.withUnsafeMutableBufferPointer { stream.copy(from: 0, count: stream.count, into: $0.baseAddress!) }
        var out = [Float](repeating: 0, count: predictions * v)
        var start = 0
        while start < predictions {
            let window = min(steps, predictions - start)
            _ = try model.forward(inputs: Array(ids[start..<start + window]), targets: Array(ids[start + 1...start + window]),
                                  steps: window, batch: 1)
            let logits = model.logits
            out.replaceSubrange(start * v..<(start + window) * v, with: logits.storage)
            start += window
        }
        return out
    }
}
