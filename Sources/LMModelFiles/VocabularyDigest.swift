import LMFileSystem
import LMText

/// Which vocabulary a run's model was trained with, by content: its token count and the
/// SHA-256 of its tokens in id order (config.json's `vocabulary`). A model's weights mean
/// something only with the id → token map they were trained on; a vocabulary of the same size
/// from another corpus would load and silently give garbage, so loading a run compares this.
///
/// The digest covers the canonical token list, not vocab.json's bytes: frequencies, the source
/// file's name and the JSON layout do not change what an id means, and a vocabulary saved
/// again (by `lm-convert vocab` or a later LMKit) must still match. Each token is hashed as its
/// UTF-8 byte count in decimal, a colon, then its UTF-8 bytes, so no framing is ambiguous.
public struct VocabularyDigest: Codable, Equatable, Sendable, CustomStringConvertible {
    /// Tokens in the vocabulary, `<unk>` included.
    public var tokens: Int
    /// SHA-256 of the token list (see above), 64 lowercase hex digits.
    public var sha256: String

    /// The digest of `tokens`, in id order.
    public init(of tokens: [String]) {
        var hash = SHA256()
        for token in tokens {
            hash.update("\(token.utf8.count):")
            hash.update(token)
        }
        self.tokens = tokens.count
        sha256 = hash.hexDigest()
    }

    /// The digest of a vocabulary file's tokens.
    public init(of file: VocabularyFile) { self.init(of: file.tokens) }

    /// "1234 tokens, SHA-256 ab12…".
    public var description: String { "\(tokens) tokens, SHA-256 \(sha256)" }
}
