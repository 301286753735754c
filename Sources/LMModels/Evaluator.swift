import Foundation
import LMData
import LMTensor

/// Perplexity of a model on a token stream, with no gradient and no effect on training: the
/// model's carried state is saved before and restored after, and nothing random is drawn.
public enum Evaluator {
    /// Mean cross-entropy (nats per token) and perplexity over every next-token prediction
    /// of `stream`, cut into `batch` contiguous rows read in windows of `steps`, with the
    /// state carried across windows (so each row is one continuous sequence).
    ///
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
        let allRows = max(1, min(batch, (stream.count - 1) / max(1, steps)))
        let rowLength = (stream.count - 1) / allRows   // predictions per row
        guard rowLength >= 1 else { throw ModelError.tooFewTokens(stream.count) }
        let first = allRows * part / parts, rows = allRows * (part + 1) / parts - first
        guard rows > 0 else { return (0, 0) }
        let saved = model.state
        defer { try? model.setState(saved) }
        // Row r holds tokens r·rowLength … (r + 1)·rowLength: its inputs and, one later, its targets.
        let stride = rowLength + 1
        var sequences = [Int32](repeating: 0, count: rows * stride)
        sequences.withUnsafeMutableBufferPointer { all in
            for r in 0..<rows { stream.copy(from: (first + r) * rowLength, count: stride, into: all.baseAddress! + r * stride) }
        }
        var inputs = [Int32](), targets = [Int32]()
        var lossSum = 0.0, tokens = 0
        var start = 0
        while start < rowLength {
            let window = min(steps, rowLength - start)
            TimeMajor.gather(rows: rows, steps: window, from: sequences, rowStart: { $0 * stride + start }, into: &inputs)
            TimeMajor.gather(rows: rows, steps: window, from: sequences, rowStart: { $0 * stride + start + 1 }, into: &targets)
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
