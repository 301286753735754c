/// The integer width a ``TokenStream`` stores its ids in, chosen from the vocabulary size.
public enum TokenWidth: String, Sendable, Codable, CaseIterable {
    /// One byte per token: vocabularies of at most 256 ids.
    case uint8
    /// Two bytes per token: vocabularies of at most 65,536 ids.
    case uint16
    /// Four bytes per token: any larger vocabulary (up to ``TokenStream/maxVocabularySize``).
    case uint32

    /// Bytes each token occupies in the stream.
    public var bytesPerToken: Int {
        switch self {
        case .uint8: return 1
        case .uint16: return 2
        case .uint32: return 4
        }
    }

    /// The narrowest width holding every id in `0..<vocabularySize`.
    public static func fitting(vocabularySize: Int) -> TokenWidth {
        if vocabularySize <= 1 << 8 { return .uint8 }
        if vocabularySize <= 1 << 16 { return .uint16 }
        return .uint32
    }
}
