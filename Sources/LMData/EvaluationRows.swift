/// How an evaluation text is cut into rows, as PyTorch's word_language_model `batchify` cuts
/// it: `n` tokens into `rows` columns of `n / rows` tokens each (row r holds tokens
/// r·length ..< (r + 1)·length), the last `n mod rows` tokens left out; each row is read as one
/// sequence whose `length − 1` predictions are token t + 1 after tokens up to t. One row is the
/// whole text (Chainer's evaluation iterator): every token but the first is predicted.
///
/// PyTorch's `batchify(data, bsz)` is `data.narrow(0, 0, nbatch·bsz).view(bsz, −1).t()` with
/// `nbatch = n / bsz`; `evaluate` walks it in windows `[i, i + bptt)` with targets one step
/// later, so that row r, from its own first token, predicts its next `nbatch − 1` tokens.
public struct EvaluationRows: Sendable, Equatable {
    /// Rows the text is cut into: the rows asked for, or fewer (`n / 2`) when the text has
    /// fewer than two tokens for each.
    public let rows: Int
    /// Tokens per row (`n / rows`, at least 2).
    public let length: Int

    /// The rows of an `n`-token text cut into `batch` rows, or nil when `n < 2` (nothing to predict).
    /// - Precondition: `batch ≥ 1`.
    public init?(tokens n: Int, batch: Int) {
        precondition(batch >= 1, "EvaluationRows: batch \(batch) < 1")
        guard n >= 2 else { return nil }
        rows = min(batch, n / 2)
        length = n / rows
    }

    /// Where row `r` starts in the text.
    public func start(ofRow r: Int) -> Int { r * length }

    /// Predictions per row.
    public var predictionsPerRow: Int { length - 1 }

    /// Predictions in all.
    public var predictions: Int { rows * (length - 1) }
}
