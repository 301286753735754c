import Foundation
import LMTensor
import LMText

/// stdout for streamed text. On a terminal every piece is written at once (one write(2) per
/// token). Into a pipe or a file, pieces are gathered and written at least every 10 ms (and at
/// 64 KiB, and at the end), so a reader still sees the text as it is produced while a fast model
/// does not pay a system call per token (a sizable share of a small model's step).
public final class StandardOutput: TextOutput {
    private var buffer: [UInt8] = []
    private let isTerminal = isatty(STDOUT_FILENO) != 0
    private var lastFlush = MonotonicClock.nanoseconds()
    private static let interval: UInt64 = 10_000_000   // ns

    public init() { buffer.reserveCapacity(1 << 16) }

    /// Writes `text` (at once on a terminal, else gathered).
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if isTerminal || buffer.count >= 1 << 16 || MonotonicClock.nanoseconds() &- lastFlush >= StandardOutput.interval {
            flush()
        }
    }

    /// Writes out everything gathered.
    public func flush() {
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { exit(1) }   // stdout closed (e.g. a pipe whose reader left)
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
        lastFlush = MonotonicClock.nanoseconds()
    }
}
