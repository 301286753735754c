/// Why a Hugging Face `tokenizer.json` cannot become an LMKit vocabulary, one line each.
public enum TokenizerJSONError: Error, CustomStringConvertible, Equatable {
    /// The file is not a tokenizer.json (not JSON, no `model`, damaged vocabulary).
    case notATokenizer(path: String, reason: String)
    /// A tokenizer LMKit's pipeline cannot reproduce (another model type, a normalizer or
    /// pre-tokenizer without an equivalent).
    case unsupported(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notATokenizer(path, reason): return "\(path): not a Hugging Face tokenizer.json: \(reason)"
        case let .unsupported(path, reason): return "\(path): LMKit cannot reproduce this tokenizer: \(reason)"
        }
    }
}
