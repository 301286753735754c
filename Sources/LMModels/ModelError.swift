/// Errors from building or running a model, with what to change in the message.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// The configuration cannot describe a model (e.g. zero hidden units).
    case invalidConfiguration(String)
    /// A token id is outside 0..<vocabularySize.
    case tokenOutOfRange(id: Int32, vocabularySize: Int)
    /// Input or target counts do not match steps × batch, or a state has the wrong shape.
    case shapeMismatch(String)
    /// `backward()` was called without a preceding `forward` with targets.
    case backwardWithoutForward
    /// A stream to evaluate holds this many tokens, fewer than the 2 one prediction needs.
    case tooFewTokens(Int)

    public var description: String {
        switch self {
        case .invalidConfiguration(let m): return "invalid model configuration: \(m)"
        case .tokenOutOfRange(let id, let v): return "token id \(id) is outside the vocabulary 0..<\(v); was the model built for another vocabulary?"
        case .shapeMismatch(let m): return "shape mismatch: \(m)"
        case .backwardWithoutForward: return "backward() needs a forward(inputs:targets:steps:batch:) with targets first"
        case .tooFewTokens(let n): return "a stream of \(n) tokens has nothing to evaluate (at least 2 tokens are needed)"
        }
    }
}
