/// Character-level tokens: one token per extended grapheme cluster (UAX #29), so a flag, an
/// emoji with skin tone or joiners, "e" + combining accent, a Hangul syllable in jamo, and
/// "\r\n" are each a single token.
public struct CharacterTokenizer: Tokenizer {
    /// A character tokenizer.
    public init() {}

    public func tokenize<Sink: TokenSink>(_ line: UnsafeBufferPointer<UInt8>, isASCII: Bool, into sink: inout Sink) {
        if isASCII {
            // ASCII graphemes are single bytes, except CR LF.
            var index = 0
            while index < line.count {
                let byte = line[index]
                if byte == 0x0D && index + 1 < line.count && line[index + 1] == 0x0A {
                    sink.consume("\r\n")
                    index += 2
                } else {
                    sink.consumeASCII(byte)
                    index += 1
                }
            }
            return
        }
        GraphemeClusters.forEach(in: line) { range, _ in
            if range.count == 1 {
                sink.consumeASCII(line[range.lowerBound])
            } else {
                sink.consume(String(decoding: UnsafeBufferPointer(rebasing: line[range]), as: UTF8.self))
            }
        }
    }
}
