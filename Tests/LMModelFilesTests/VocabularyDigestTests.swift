import LMModelFiles
import Testing

@Suite struct VocabularyDigestTests {
    /// The digest is SHA-256 over each token as its UTF-8 byte count, a colon and its bytes,
    /// in id order: pinned, since config.json files hold it.
    @Test func theCanonicalFormIsPinned() {
        let digest = VocabularyDigest(of: ["<unk>", "é", " "])
        #expect(digest.tokens == 3)
        #expect(digest.sha256 == "ce4a12725ee0dc3097235d2eb4361cec135ab30ec5e3e2d5ba0c8ba17aafa40b")   // sha256sum of "5:<unk>2:é1: "
    }

    /// Order and framing count: the same tokens in another order, or tokens that join into
    /// the same text, give other digests.
    @Test func orderAndFramingCount() {
        let digests = [["<unk>", "a", "b"], ["<unk>", "b", "a"], ["<unk>", "ab", ""], ["<unk>", "a", "b", ""]].map { VocabularyDigest(of: $0) }
        #expect(Set(digests.map(\.sha256)).count == digests.count)
    }
}
