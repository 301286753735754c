import Foundation

/// How well a model predicts a text: each token's log-probability given the ones before it.
public struct Score: Equatable, Sendable {
    /// The text's tokens after the model's preprocessing.
    public let tokens: [String]
    /// ln p(token i | tokens 0 … i−1) for i = 1 … count − 1 (the first token has no
    /// prediction), in nats.
    public let logProbabilities: [Double]

    /// exp of the mean negative log-probability (what `lm-eval` reports).
    public var perplexity: Double {
        exp(-logProbabilities.reduce(0, +) / Double(logProbabilities.count))
    }

    /// From a `(count − 1) × vocabularySize` row-major block of logits, row i predicting token i + 1.
    init(tokens: [String], logits: [Float], ids: [Int32], vocabularySize v: Int) {
        self.tokens = tokens
        logProbabilities = (1..<ids.count).map { i in
            let row = logits[(i - 1) * v..<i * v]
            let top = Double(row.max() ?? 0)
            let sum = row.reduce(0.0) { $0 + exp(Double($1) - top) }
            return Double(row[row.startIndex + Int(ids[i])]) - top - log(sum)
        }
    }
}
