import CUtf8proc

/// UTF-8 checks through utf8proc.
public enum UTF8Validation {
    /// The offset of the first byte that does not start a valid UTF-8 sequence, or nil if all
    /// of `bytes` is valid UTF-8 (overlong forms, surrogates and code points above U+10FFFF
    /// are invalid).
    public static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        var position = 0
        var codePoint: Int32 = 0
        while position < bytes.count {
            if bytes[position] < 0x80 { position += 1; continue }
            let length = utf8proc_iterate(base + position, bytes.count - position, &codePoint)
            if length < 0 { return position }
            position += length
        }
        return nil
    }

    /// The bytes with every invalid sequence replaced by U+FFFD (one per maximal invalid
    /// subpart, as the Unicode standard recommends).
    public static func repaired(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).utf8)
    }
}
