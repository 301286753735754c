import LMData
import Foundation
import LMModels
import LMTensor

/// Perplexity of a model on a token stream, with no gradient and no effect on training: the
/// model's carried state is saved before and restored after, and nothing random is drawn.
public enum Evaluator {
    /// Mean cross-entropy (nats per token) and perplexity over every next-token prediction
    /// of `stream`, cut into `batch` contiguous rows read in windows of `steps`, with the
    /// state carried across windows (so each row is one continuous sequence).
    public static func evaluate(_ model: RecurrentLM<Float>, on stream: TokenStream, batch: Int, steps: Int) throws -> (loss: Double, perplexity: Double, tokens: Int) {
        let rows = max(1, min(batch, (stream.count - 1) / max(1, steps)))
        let rowLength = (stream.count - 1) / rows   // predictions per row
        guard rowLength >= 1 else {
            throw TrainingError.corpusTooShort("a stream of \(stream.count) tokens has nothing to evaluate (at least 2 tokens are needed)")
        }
        let saved = model.state
        defer { try? model.setState(saved) }
        var inputs = [Int32](), targets = [Int32]()
        var row = [Int32](repeating: 0, count: rowLength + 1)
        var sequences: [[Int32]] = []
        for r in 0..<rows {
            row.withUnsafeMutableBufferPointer { stream.copy(from: r * rowLength, count: rowLength + 1, into: $0.baseAddress!) }
            sequences.append(row)
        }
        var lossSum = 0.0, tokens = 0
        var start = 0
        var first = true
        while start < rowLength {
            let window = min(steps, rowLength - start)
            inputs.removeAll(keepingCapacity: true)
            targets.removeAll(keepingCapacity: true)
            for t in 0..<window {
                for r in 0..<rows {
                    inputs.append(sequences[r][start + t])
                    targets.append(sequences[r][start + t + 1])
                }
            }
            if first { model.resetState(); first = false }
            let loss = try model.forward(inputs: inputs, targets: targets, steps: window, batch: rows)
            lossSum += loss * Double(window * rows)
            tokens += window * rows
            start += window
        }
        let mean = lossSum / Double(tokens)
        return (mean, exp(mean), tokens)
    }
}
