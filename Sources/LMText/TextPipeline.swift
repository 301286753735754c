import LMFileSystem

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
        try forEachToken(in: try TextInput(path: path), into: &sink)
    }

    /// Streams every token of an opened input into `sink`. Memory stays bounded by the read
    /// buffer: a line longer than it is processed in pieces cut where the output cannot
    /// change (see ``isSafeCut(_:at:)``).
    public func forEachToken<Sink: TokenSink>(in input: TextInput, into sink: inout Sink,
                                              chunkSize: Int = 1 << 20) throws {
        var processor = LineProcessor(pipeline: self)
        let path = input.path
        try LineReader(input: input, chunkSize: chunkSize).forEachSegment(cuttingAt: isSafeCut) { piece, offset, endsLine in
            try processor.tokenize(piece, endsLine: endsLine, path: path, offset: offset, into: &sink)
        }
    }

    /// Whether a line may be cut before `bytes[index]` without changing its tokens.
    ///
    /// After an ASCII letter (kept by every filter, a code point that no normalization joins
    /// with what follows, and a grapheme boundary before any ASCII character) or a
    /// standalone character (``isStandalone(_:at:)``: CJK ideographs, kana, Hangul
    /// syllables), and before an ASCII character (at word level a space or tab, so no word is
    /// split) or a standalone character (at char level, or when the filter drops it, as d2l's
    /// ASCII-letters filter does, so that it separates words instead of joining them). A line
    /// of CJK text without a single ASCII letter is thus cut too, and read in bounded memory.
    public func isSafeCut(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        let before = bytes[index - 1], next = bytes[index]
        guard (before | 0x20) &- 0x61 < 26 || Self.isStandalone(bytes, at: index - 3) else { return false }
        if next < 0x80 {
            switch level {
            case .char: return next != 0x0A
            case .word: return next == 0x20 || next == 0x09
            }
        }
        return Self.isStandalone(bytes, at: index) && (level == .char || preprocessor.filter == .asciiLetters)
    }

    /// Whether the three bytes at `start` encode a character every preprocessing and tokenizer
    /// treats on its own: a CJK ideograph (U+3400–U+4DBF, U+4E00–U+9FFF), a hiragana or
    /// katakana letter (U+3041–U+3096, U+30A1–U+30FA) or a Hangul syllable (U+AC00–U+D7A3).
    /// Each is a starter that no normalization joins with a neighbour (canonical class 0, no
    /// compatibility mapping, never the second of a composition pair; a Hangul syllable
    /// composes only with a following trailing jamo, which is not in the set), has no case,
    /// and has a grapheme boundary on both sides when its neighbour is one of these or ASCII
    /// (it is not Extend, ZWJ, SpacingMark or Prepend, and no Hangul rule joins two syllables).
    static func isStandalone(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard start >= 0, start + 2 < bytes.count else { return false }
        let b0 = bytes[start], b1 = bytes[start + 1], b2 = bytes[start + 2]
        guard b0 & 0xF0 == 0xE0, b1 & 0xC0 == 0x80, b2 & 0xC0 == 0x80 else { return false }
        switch UInt32(b0 & 0x0F) << 12 | UInt32(b1 & 0x3F) << 6 | UInt32(b2 & 0x3F) {
        case 0x3041...0x3096, 0x30A1...0x30FA, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xAC00...0xD7A3: return true
        default: return false
        }
    }

    /// The tokens of an in-memory text, split into lines like a file.
    /// - Parameter endingLastLine: whether the text's last line is a whole line, followed by
    ///   `<eos>` when ``endOfLine`` is on (false: the text stops mid-line, no `<eos>` after it).
    public func tokens(of text: String, source: String = "<text>", endingLastLine: Bool = true) throws -> [String] {
        var list = TokenList()
        var processor = LineProcessor(pipeline: self)
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBufferPointer { all in
            var offset = 0
            try Lines.forEach(in: UnsafeBufferPointer(all)) { line in
                let isLast = offset + line.count == all.count
                try processor.tokenize(line, endsLine: endingLastLine || !isLast, path: source, offset: offset, into: &list)
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
