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
    /// The share of the training stream's tokens that are `<unk>`, 0…1 (nil in runs written
    /// before LMKit recorded it): a vocabulary that covers little of the corpus trains a model
    /// to predict `<unk>`, whose perplexity then means little.
    public var unknownShare: Double?

    public init(corpus: ContentDigest? = nil, valid: ContentDigest? = nil, test: ContentDigest? = nil, unknownShare: Double? = nil) {
        self.corpus = corpus
        self.valid = valid
        self.test = test
        self.unknownShare = unknownShare
    }
}
