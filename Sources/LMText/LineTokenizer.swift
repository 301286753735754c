/// A pipeline applied to one line at a time, for text that arrives line by line (standard
/// input): validation (as the pipeline's `replaceInvalidUTF8` says), preprocessing, tokens.
public struct LineTokenizer {
    private var processor: LineProcessor

    /// A tokenizer for `pipeline`.
    public init(pipeline: TextPipeline) { processor = LineProcessor(pipeline: pipeline) }

    /// The tokens of `line` (its terminator included), which starts `offset` bytes into `source`.
    /// - Throws: `TextError.invalidUTF8` naming `source` and the offset of the first bad byte,
    ///   unless the pipeline replaces invalid UTF-8.
    public mutating func tokens(of line: UnsafeBufferPointer<UInt8>, source: String, offset: Int) throws -> [String] {
        var list = TokenList()
        try processor.tokenize(line, endsLine: true, path: source, offset: offset, into: &list)
        return list.tokens
    }
}
