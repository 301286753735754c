import CUtf8proc

/// Extended grapheme clusters (UAX #29, through `utf8proc_grapheme_break_stateful`) of valid UTF-8.
public enum GraphemeClusters {
    /// Calls `body` with the byte range and kind of every grapheme cluster of `bytes`, in order.
    /// `bytes` must be valid UTF-8.
    public static func forEach(in bytes: UnsafeBufferPointer<UInt8>,
                               _ body: (Range<Int>, GraphemeKind) throws -> Void) rethrows {
        guard bytes.baseAddress != nil, bytes.count > 0 else { return }
        var state: Int32 = 0
        var previous: Int32 = -1
        var clusterStart = 0
        var clusterKind = GraphemeKind.other
        var position = 0
        while position < bytes.count {
            let (codePoint, length) = CodePoint.decode(bytes, at: position)
            if previous < 0 {
                clusterKind = kind(of: codePoint)
            } else if utf8proc_grapheme_break_stateful(previous, codePoint, &state) {
                try body(clusterStart..<position, clusterKind)
                clusterStart = position
                clusterKind = kind(of: codePoint)
            }
            previous = codePoint
            position += length
        }
        try body(clusterStart..<bytes.count, clusterKind)
    }

    /// The kind of a grapheme cluster that starts with `codePoint`.
    public static func kind(of codePoint: Int32) -> GraphemeKind {
        if isPythonWhitespace(codePoint) { return .whitespace }
        let property = utf8proc_get_property(codePoint)!.pointee
        switch Int(property.boundclass) {
        case Int(UTF8PROC_BOUNDCLASS_EXTENDED_PICTOGRAPHIC.rawValue),
             Int(UTF8PROC_BOUNDCLASS_E_ZWG.rawValue),
             Int(UTF8PROC_BOUNDCLASS_REGIONAL_INDICATOR.rawValue):
            // ASCII digits, # and * are Extended_Pictographic only as keycap bases; treat
            // them by category like other ASCII.
            if codePoint >= 0x80 { return .emoji }
        default: break
        }
        switch UInt32(property.category) {
        case UTF8PROC_CATEGORY_LU.rawValue, UTF8PROC_CATEGORY_LL.rawValue, UTF8PROC_CATEGORY_LT.rawValue,
             UTF8PROC_CATEGORY_LM.rawValue, UTF8PROC_CATEGORY_LO.rawValue:
            return .letter
        case UTF8PROC_CATEGORY_ND.rawValue, UTF8PROC_CATEGORY_NL.rawValue, UTF8PROC_CATEGORY_NO.rawValue:
            return .number
        case UTF8PROC_CATEGORY_MN.rawValue, UTF8PROC_CATEGORY_MC.rawValue, UTF8PROC_CATEGORY_ME.rawValue:
            return .mark
        default:
            return .other
        }
    }

    /// Python's `str.isspace` for one code point: what `str.split()` splits on.
    public static func isPythonWhitespace(_ codePoint: Int32) -> Bool {
        switch codePoint {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029,
             0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }
}
