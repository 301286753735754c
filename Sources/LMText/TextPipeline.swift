/// Everything that turns raw text into tokens: preprocessing, the tokenizer and its options.
/// Saved in every vocabulary file, so a model tokenizes exactly as its vocabulary was built.
public struct TextPipeline: Codable, Sendable, Equatable {
    /// Token granularity.
    public enum Level: String, Codable, Sendable, CaseIterable {
        /// Extended grapheme clusters.
        case char
        /// Words.
        case word
    }

    /// The token appended after every line when `endOfLine` is on (Penn Treebank style).
    public static let endOfLineToken = "<eos>"

    /// Per-line clean-up.
    public var preprocessor: Preprocessor
    /// Characters or words.
    public var level: Level
    /// How words are split (word level only).
    public var wordSplitting: WordTokenizer.Splitting
    /// Append `<eos>` after every line.
    public var endOfLine: Bool
    /// Replace invalid UTF-8 by U+FFFD instead of failing.
    public var replaceInvalidUTF8: Bool

    /// A pipeline; the defaults reproduce d2l's character-level time machine corpus.
    public init(preprocessor: Preprocessor = Preprocessor(preset: .d2l), level: Level = .char,
                wordSplitting: WordTokenizer.Splitting = .whitespace, endOfLine: Bool = false,
                replaceInvalidUTF8: Bool = false) {
        self.preprocessor = preprocessor
        self.level = level
        self.wordSplitting = wordSplitting
        self.endOfLine = endOfLine
        self.replaceInvalidUTF8 = replaceInvalidUTF8
    }

    /// Streams every token of the file at `path` into `sink`. Memory stays bounded by the
    /// longest line. Invalid UTF-8 throws `TextError.invalidUTF8` with the file offset of the
    /// first bad byte, unless `replaceInvalidUTF8` is set.
    public func forEachToken<Sink: TokenSink>(inFile path: String, into sink: inout Sink) throws {
        var processor = LineProcessor(pipeline: self)
        try LineReader(path: path).forEachLine { line, offset in
            try processor.tokenize(line, path: path, offset: offset, into: &sink)
        }
    }

    /// The tokens of an in-memory text, split into lines like a file.
    public func tokens(of text: String, source: String = "<text>") throws -> [String] {
        var list = TokenList()
        var processor = LineProcessor(pipeline: self)
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { all in
            var offset = 0
            try Lines.forEach(in: UnsafeBufferPointer(all)) { line in
                try processor.tokenize(line, path: source, offset: offset, into: &list)
                offset += line.count
            }
        }
        return list.tokens
    }

    /// A human-readable one-line summary, e.g. "d2l preset, char level".
    public var summary: String {
        var parts = ["\(preprocessor.preset.rawValue) preset (normalization \(preprocessor.normalization.rawValue), "
                     + "case folding \(preprocessor.caseFold ? "on" : "off"), filter \(preprocessor.filter.rawValue))",
                     "\(level.rawValue) level"]
        if level == .word { parts.append("\(wordSplitting.rawValue) splitting") }
        if endOfLine { parts.append("<eos> after each line") }
        return parts.joined(separator: ", ")
    }
}

/// The per-line work of a pipeline, with its reusable buffers: validate, preprocess, tokenize.
struct LineProcessor {
    let pipeline: TextPipeline
    // Concrete tokenizers (not `any Tokenizer`), so the per-token calls specialize for the sink.
    let characters = CharacterTokenizer()
    let words: WordTokenizer
    var output: [UInt8] = []

    init(pipeline: TextPipeline) {
        self.pipeline = pipeline
        self.words = WordTokenizer(splitting: pipeline.wordSplitting)
        output.reserveCapacity(1 << 16)
    }

    mutating func tokenize<Sink: TokenSink>(_ line: UnsafeBufferPointer<UInt8>, path: String, offset: Int,
                                             into sink: inout Sink) throws {
        let isASCII: Bool
        if let bad = UTF8Validation.firstInvalidOffset(in: line) {
            guard pipeline.replaceInvalidUTF8 else {
                throw TextError.invalidUTF8(path: path, offset: offset + bad)
            }
            let repaired = UTF8Validation.repaired(line)
            isASCII = repaired.withUnsafeBufferPointer { pipeline.preprocessor.process($0, into: &output) }
        } else {
            isASCII = pipeline.preprocessor.process(line, into: &output)
        }
        output.withUnsafeBufferPointer {
            switch pipeline.level {
            case .char: characters.tokenize($0, isASCII: isASCII, into: &sink)
            case .word: words.tokenize($0, isASCII: isASCII, into: &sink)
            }
        }
        if pipeline.endOfLine && (line.last == 0x0A || !output.isEmpty) {
            sink.consume(TextPipeline.endOfLineToken)
        }
    }
}
