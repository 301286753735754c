import Foundation

/// Splitting text into lines the way Python's `readlines` does: each line ends after "\n"
/// and keeps it ("\r\n" stays together at the end of its line); a last line without "\n" counts.
public enum Lines {
    /// Calls `body` with each line of an in-memory buffer, terminator included.
    public static func forEach(in bytes: UnsafeBufferPointer<UInt8>,
                               _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) rethrows {
        guard let base = bytes.baseAddress else { return }
        var start = 0
        while start < bytes.count {
            let rest = bytes.count - start
            let end: Int
            if let found = memchr(base + start, 0x0A, rest) {
                end = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
            } else {
                end = bytes.count
            }
            try body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
            start = end
        }
    }
}
