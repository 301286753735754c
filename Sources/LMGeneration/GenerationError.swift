/// What can go wrong while preparing or running generation, each with a message a user can
/// act on.
public enum GenerationError: Error, Equatable, CustomStringConvertible {
    /// A sampler or generation setting that has no meaning (temperature ≤ 0, k < 1, ...).
    case invalidSetting(String)
    /// The prefix is empty, or nothing of it survives the model's preprocessing.
    case emptyPrefix(original: String, pipeline: String)
    /// `--strict` and the prefix holds tokens outside the vocabulary.
    case unknownTokens([String])
    /// The vocabulary and the model do not fit together.
    case vocabularyMismatch(String)
    /// The model produced a NaN or infinite logit (damaged weights).
    case nonFiniteLogits(step: Int)

    public var description: String {
        switch self {
        case let .invalidSetting(message):
            return message
        case let .emptyPrefix(original, pipeline):
            return original.isEmpty
                ? "the prefix is empty; generation starts from the prefix's last token, so give at least one"
                : "the prefix \(original.debugDescription) is empty after the model's preprocessing (\(pipeline))"
        case let .unknownTokens(tokens):
            return "the prefix has tokens outside the model's vocabulary: "
                + tokens.map(\.debugDescription).joined(separator: ", ") + " (drop generation.strict to read them as <unk>)"
        case let .vocabularyMismatch(message):
            return message
        case let .nonFiniteLogits(step):
            return "the model produced NaN or infinite logits at step \(step); its weights are damaged"
        }
    }
}

/// Throws ``GenerationError/invalidSetting(_:)`` with `message` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw GenerationError.invalidSetting(message()) }
}
