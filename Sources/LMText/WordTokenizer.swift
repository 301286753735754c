/// Word-level tokens.
public struct WordTokenizer: Tokenizer {
    /// How words are found.
    public enum Splitting: String, Codable, Sendable, CaseIterable {
        /// d2l's `line.split()`: runs of non-white-space, white space as Python defines it.
        case whitespace
        /// Unicode-aware: runs of letters, marks and digits (and "_") are words; every other
        /// grapheme cluster that is not white space (punctuation, symbols, emoji) is a token of
        /// its own.
        case unicode
    }

    /// The splitting rule.
    public let splitting: Splitting

    /// A word tokenizer with the given rule.
    public init(splitting: Splitting) {
        self.splitting = splitting
    }

    public func tokenize<Sink: TokenSink>(_ line: UnsafeBufferPointer<UInt8>, isASCII: Bool, into sink: inout Sink) {
        var wordStart = -1
        func flush(_ end: Int) {
            if wordStart >= 0 {
                sink.consume(String(decoding: UnsafeBufferPointer(rebasing: line[wordStart..<end]), as: UTF8.self))
                wordStart = -1
            }
        }
        switch splitting {
        case .whitespace:
            if isASCII {
                for index in 0..<line.count {
                    if GraphemeClusters.isPythonWhitespace(Int32(line[index])) {
                        flush(index)
                    } else if wordStart < 0 {
                        wordStart = index
                    }
                }
            } else {
                // Python splits on code points; a white-space code point never sits inside a
                // grapheme cluster's extension, so clusters give the same words.
                GraphemeClusters.forEach(in: line) { range, kind in
                    if kind == .whitespace { flush(range.lowerBound) } else if wordStart < 0 { wordStart = range.lowerBound }
                }
            }
        case .unicode:
            GraphemeClusters.forEach(in: line) { range, kind in
                switch kind {
                case .whitespace:
                    flush(range.lowerBound)
                case .letter, .number, .mark:
                    if wordStart < 0 { wordStart = range.lowerBound }
                case .emoji, .other:
                    if range.count == 1 && line[range.lowerBound] == UInt8(ascii: "_") {
                        if wordStart < 0 { wordStart = range.lowerBound }
                        return
                    }
                    flush(range.lowerBound)
                    sink.consume(String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self))
                }
            }
        }
        flush(line.count)
    }
}
