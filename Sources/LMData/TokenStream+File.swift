import LMFileSystem
import LMText

extension TokenStream {
    /// Encodes a text file into a stream: every token the vocabulary's `pipeline` (its own
    /// preprocessing and tokenizer) reads from `path` becomes its id in `vocabulary` (unknown
    /// tokens become `<unk>`, id 0). The file is streamed line by line; only the compact ids
    /// are kept (1, 2 or 4 bytes per token, by ``TokenWidth/fitting(vocabularySize:)``).
    /// - Parameters:
    ///   - path: the UTF-8 text file.
    ///   - vocabulary: the token → id mapping; its size sets the storage width.
    ///   - pipeline: the preprocessing and tokenizer the vocabulary was built with.
    ///   - maxTokens: keep only the first `maxTokens` ids when positive (d2l's `max_tokens`);
    ///     the rest of the file is still read (and validated) but not stored.
    /// - Throws: ``TokenStreamError/invalidVocabularySize(_:)`` or the text layer's errors
    ///   (unreadable file, invalid UTF-8).
    public init(contentsOfFile path: String, vocabulary: Vocabulary, pipeline: TextPipeline,
                maxTokens: Int = -1) throws {
        try self.init(contentsOf: try TextInput(path: path), vocabulary: vocabulary, pipeline: pipeline, maxTokens: maxTokens)
    }

    /// Encodes an opened input (a file or a spooled stream) into a stream, as
    /// ``init(contentsOfFile:vocabulary:pipeline:maxTokens:)``; the input can be read again.
    public init(contentsOf input: TextInput, vocabulary: Vocabulary, pipeline: TextPipeline,
                maxTokens: Int = -1) throws {
        var builder = try Builder(vocabularySize: vocabulary.count)
        let limit = maxTokens > 0 ? maxTokens : Int.max
        try vocabulary.forEachID(in: input, pipeline: pipeline) { id in
            // Ids come from the vocabulary itself, so they are in range by construction.
            if builder.count < limit { builder.appendUnchecked(UInt32(truncatingIfNeeded: id)) }
        }
        self = builder.finish()
    }
}
