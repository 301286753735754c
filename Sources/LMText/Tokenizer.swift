/// Splits one preprocessed line into tokens.
public protocol Tokenizer: Sendable {
    /// Sends the tokens of `line` (valid UTF-8; `isASCII` tells whether every byte is < 0x80)
    /// to `sink`, in order.
    func tokenize<Sink: TokenSink>(_ line: UnsafeBufferPointer<UInt8>, isASCII: Bool, into sink: inout Sink)
}

extension Tokenizer {
    /// The tokens of one line of text.
    public func tokens(of line: String) -> [String] {
        var list = TokenList()
        var bytes = Array(line.utf8)
        let isASCII = bytes.allSatisfy { $0 < 0x80 }
        bytes.withUnsafeMutableBufferPointer { tokenize(UnsafeBufferPointer($0), isASCII: isASCII, into: &list) }
        return list.tokens
    }
}
