/// Receives tokens one at a time. Single-byte ASCII tokens come through `consumeASCII`,
/// which lets counters and encoders use a 128-entry table instead of hashing a string.
public protocol TokenSink {
    /// One token.
    mutating func consume(_ token: String)
    /// One token that is a single ASCII byte (< 0x80).
    mutating func consumeASCII(_ byte: UInt8)
}

extension TokenSink {
    public mutating func consumeASCII(_ byte: UInt8) {
        consume(String(UnicodeScalar(byte)))
    }
}

/// Splits one preprocessed line into tokens.
public protocol Tokenizer: Sendable {
    /// Sends the tokens of `line` (valid UTF-8; `isASCII` tells whether every byte is < 0x80)
    /// to `sink`, in order.
    func tokenize<Sink: TokenSink>(_ line: UnsafeBufferPointer<UInt8>, isASCII: Bool, into sink: inout Sink)
}

/// Collects tokens into an array.
public struct TokenList: TokenSink {
    /// The tokens received so far.
    public var tokens: [String] = []
    /// An empty list.
    public init() {}
    public mutating func consume(_ token: String) { tokens.append(token) }
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
