import Foundation
import LMData
import LMTensor

/// Perplexity of a model on a token stream, with no gradient and no effect on training: the
/// model's carried state is saved before and restored after, and nothing random is drawn.
public enum Evaluator {
    /// Mean cross-entropy (nats per token) and perplexity over every next-token prediction
    /// of `stream` cut into `batch` rows as PyTorch's word_language_model `batchify` cuts it
    /// (``EvaluationRows``: row r is tokens r·L ..< (r + 1)·L with L = n / batch, the tail of
    /// n mod batch tokens left out; one row is the whole stream), read in windows of `steps`
    /// with the state carried across windows from zero (so each row is one continuous
    /// sequence), as its `evaluate` reads it.
    ///
    /// - Returns: the mean loss, its exponential and the number of predictions (`tokens`).
    /// - Throws: ``ModelError/tooFewTokens(_:)`` for a stream under 2 tokens; model errors
    ///   for ids outside its vocabulary.
    public static func evaluate(_ model: RecurrentLM<Float>, on stream: TokenStream, batch: Int, steps: Int) throws -> (loss: Double, perplexity: Double, tokens: Int) {
        let (lossSum, tokens) = try evaluate(model, on: stream, batch: batch, steps: steps, part: 0, of: 1)
        let mean = lossSum / Double(tokens)
        return (mean, exp(mean), tokens)
    }

    /// One process's part of ``evaluate(_:on:batch:steps:)`` in a data-parallel run: of the
    /// rows the stream is cut into, the contiguous share `part` of `parts` (possibly none).
    /// - Returns: the summed cross-entropy (nats) of its predictions and their count; the
    ///   parts' sums add up to the whole evaluation's.
    public static func evaluate(_ model: RecurrentLM<Float>, on stream: TokenStream, batch: Int, steps: Int,
                                part: Int, of parts: Int) throws -> (lossSum: Double, tokens: Int) {
        guard let layout = EvaluationRows(tokens: stream.count, batch: max(1, batch)) else { throw ModelError.tooFewTokens(stream.count) }
        let first = layout.rows * part / parts, rows = layout.rows * (part + 1) / parts - first
        guard rows > 0 else { return (0, 0) }
        let saved = model.state
        defer { try? model.setState(saved) }
        // Row r's tokens: its inputs are the first length − 1, its targets the last length − 1.
        let length = layout.length, predictions = layout.predictionsPerRow
        var sequences = [Int32](repeating: 0, count: rows * length)
        sequences.withUnsafeMutableBufferPointer { all in
            for r in 0..<rows { stream.copy(from: layout.start(ofRow: first + r), count: length, into: all.baseAddress! + r * length) }
        }
        var inputs = [Int32](), targets = [Int32]()
        var lossSum = 0.0, tokens = 0
        var start = 0
        while start < predictions {
            let window = min(max(1, steps), predictions - start)
            TimeMajor.gather(rows: rows, steps: window, from: sequences, rowStart: { $0 * length + start }, into: &inputs)
            TimeMajor.gather(rows: rows, steps: window, from: sequences, rowStart: { $0 * length + start + 1 }, into: &targets)
            if start == 0 { model.resetState() }
            // Only the loss is read: no second T·B × V buffer for a gradient kept beside the logits.
            let loss = try model.forward(inputs: inputs, targets: targets, steps: window, batch: rows, keepingOutputs: false)
            lossSum += loss * Double(window * rows)
            tokens += window * rows
            start += window
        }
        return (lossSum, tokens)
    }
}
