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

    /// The number of leading bytes below 0x80 (all of them when the buffer is pure ASCII).
    public static func asciiPrefixLength(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress else { return 0 }
        let raw = UnsafeRawPointer(base)
        let high: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index + 32 <= bytes.count {
            let words = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                | raw.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)
                | raw.loadUnaligned(fromByteOffset: index + 16, as: UInt64.self)
                | raw.loadUnaligned(fromByteOffset: index + 24, as: UInt64.self)
            if words & high != 0 { break }
            index += 32
        }
        while index < bytes.count && base[index] < 0x80 { index += 1 }
        return index
    }

    /// The bytes with every invalid sequence replaced by U+FFFD (one per maximal invalid
    /// subpart, as the Unicode standard recommends).
    public static func repaired(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).utf8)
    }
}
