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
