/// One `lm-vocab encode` run: text → ids, one line of space-separated ids per input line.
///
/// The text goes through the vocabulary's own preprocessing and tokenizer; unknown tokens
/// become `<unk>`'s id (``Vocabulary/unknownID``). The input is read as bytes, line by line, so invalid UTF-8 is the
/// vocabulary's to refuse or replace (not silently repaired on the way in).
public struct VocabularyEncodeRequest: Sendable {
    /// The vocabulary file.
    public var vocabulary: String
    /// The text to encode (default standard input).
    public var input: String

    public init(vocabulary: String, input: String = "/dev/stdin") {
        self.vocabulary = vocabulary
        self.input = input
    }

    /// Encodes `input` into `output`.
    /// - Throws: the vocabulary file's errors; ``TextError/invalidUTF8Input(path:offset:remedy:)``
    ///   when the vocabulary does not replace invalid UTF-8 and the input holds some.
    public func run(writingTo output: any TextOutput) throws {
        defer { output.flush() }
        let file = try VocabularyFile.load(from: vocabulary)
        let ids = try file.vocabulary()
        var tokenizer = LineTokenizer(pipeline: file.pipeline)
        let source = input == "/dev/stdin" ? "<stdin>" : input
        let remedy = "\(vocabulary) says replaceInvalidUTF8: false; fix the input, or rebuild the vocabulary by `lm-vocab build` with pipeline.replaceInvalidUTF8"
        try TextError.remedyingInvalidUTF8(remedy) {
            try LineReader(path: input).forEachLine { line, offset in
                let line = try tokenizer.tokens(of: line, source: source, offset: offset).map { String(ids.id(of: $0)) }
                output.write(line.joined(separator: " ") + "\n")
            }
        }
    }
}
