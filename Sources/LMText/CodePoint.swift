import CUtf8proc

/// One code point of valid UTF-8, decoded where it starts.
enum CodePoint {
    /// The code point starting at `bytes[position]` and its length in bytes (at least 1):
    /// ASCII directly, the rest through `utf8proc_iterate`.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int) -> (codePoint: Int32, length: Int) {
        let byte = bytes[position]
        if byte < 0x80 { return (Int32(byte), 1) }
        var codePoint: Int32 = 0
        let length = utf8proc_iterate(bytes.baseAddress! + position, bytes.count - position, &codePoint)
        return (codePoint, max(1, length))
    }
}
