import LMFileSystem
import LMText

/// The data a run was trained on, by content: size and SHA-256 of the corpus and of the
/// `--valid`/`--test` files (config.json's `data` section). Resume compares these, not paths.
public struct RunData: Codable, Equatable, Sendable {
    /// The training corpus, whole (before `--max-tokens` cuts it).
    public var corpus: ContentDigest?
    /// The `--valid` file, when given.
    public var valid: ContentDigest?
    /// The `--test` file, when given.
    public var test: ContentDigest?

    public init(corpus: ContentDigest? = nil, valid: ContentDigest? = nil, test: ContentDigest? = nil) {
        self.corpus = corpus
        self.valid = valid
        self.test = test
    }
}
