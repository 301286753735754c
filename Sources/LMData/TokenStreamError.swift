/// Errors building or cutting a ``TokenStream``.
public enum TokenStreamError: Error, Equatable, CustomStringConvertible {
    /// The vocabulary size is not in `1...TokenStream.maxVocabularySize`.
    case invalidVocabularySize(Int)
    /// An id at `position` is negative or not below the vocabulary size.
    case idOutOfRange(id: Int, position: Int, vocabularySize: Int)
    /// A split fraction is negative or not finite, or the fractions sum above 1.
    case invalidSplit(validation: Double, test: Double)
    /// The requested range is outside the stream.
    case rangeOutOfBounds(lower: Int, upper: Int, count: Int)

    /// An actionable, human-readable explanation of the error.
    public var description: String {
        switch self {
        case .invalidVocabularySize(let n):
            return "vocabulary size \(n) is invalid: a token stream needs 1...\(TokenStream.maxVocabularySize) ids"
        case .idOutOfRange(let id, let position, let n):
            return "token id \(id) at position \(position) is outside the vocabulary of \(n) ids (0..<\(n)); "
                + "the ids were encoded with a different or larger vocabulary"
        case .invalidSplit(let v, let t):
            return "split fractions validation \(v) and test \(t) must each be in [0, 1] and sum to at most 1 "
                + "(the training part takes the rest)"
        case .rangeOutOfBounds(let lo, let hi, let n):
            return "range \(lo)..<\(hi) lies outside a stream of \(n) tokens"
        }
    }
}
