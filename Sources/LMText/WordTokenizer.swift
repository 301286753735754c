import CUtf8proc

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
        /// Hugging Face tokenizers' `Whitespace` pre-tokenizer, `\w+|[^\w\s]+` over code points:
        /// runs of word characters (letters, marks, decimal digits, letter numbers, connector
        /// punctuation such as "_", the joiners U+200C and U+200D, and the circled and squared
        /// Latin letters, which are Alphabetic) and runs of everything else that is not white
        /// space (Unicode's White_Space) are tokens; "don't" is "don", "'", "t".
        case punctuation
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
        case .punctuation:
            Self.forEachRun(in: line) { range in
                sink.consume(String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self))
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

    /// What a code point is to the `punctuation` splitting.
    enum RunClass { case word, other, space }

    /// Calls `body` with the byte range of each run of ``Splitting/punctuation``: word
    /// characters, or characters that are neither word characters nor white space.
    static func forEachRun(in line: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Void) {
        var start = 0, current = RunClass.space, position = 0
        while position < line.count {
            let (codePoint, length) = CodePoint.decode(line, at: position)
            let kind = runClass(of: codePoint)
            if kind != current {
                if current != .space { body(start..<position) }
                start = position
                current = kind
            }
            position += length
        }
        if current != .space { body(start..<line.count) }
    }

    /// Oniguruma's `\w` and `\s` (Unicode's Word and White_Space properties) for one code point.
    static func runClass(of codePoint: Int32) -> RunClass {
        switch codePoint {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return .space
        case 0x30...0x39, 0x41...0x5A, 0x5F, 0x61...0x7A, 0x200C, 0x200D,
             0x24B6...0x24E9, 0x1F130...0x1F149, 0x1F150...0x1F169, 0x1F170...0x1F189:
            return .word
        case 0...0x7F:
            return .other
        default:
            break
        }
        switch UInt32(utf8proc_get_property(codePoint)!.pointee.category) {
        case UTF8PROC_CATEGORY_LU.rawValue, UTF8PROC_CATEGORY_LL.rawValue, UTF8PROC_CATEGORY_LT.rawValue,
             UTF8PROC_CATEGORY_LM.rawValue, UTF8PROC_CATEGORY_LO.rawValue,
             UTF8PROC_CATEGORY_MN.rawValue, UTF8PROC_CATEGORY_MC.rawValue, UTF8PROC_CATEGORY_ME.rawValue,
             UTF8PROC_CATEGORY_ND.rawValue, UTF8PROC_CATEGORY_NL.rawValue, UTF8PROC_CATEGORY_PC.rawValue:
            return .word
        default:
            return .other
        }
    }
}
