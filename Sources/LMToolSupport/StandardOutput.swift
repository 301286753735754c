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

    /// Writes out everything gathered. When stdout is a pipe whose reader left, the process
    /// ends as the default SIGPIPE ends it (the tools ignore SIGPIPE so that a write fails
    /// instead, ``LMTool/main()``); on any other failure it exits with status 1.
    public func flush() {
        let written = buffer.withUnsafeBytes { Self.write($0, to: STDOUT_FILENO) }
        if !written {
            if errno == EPIPE {
                signal(SIGPIPE, SIG_DFL)
                raise(SIGPIPE)
            }
            exit(1)
        }
        buffer.removeAll(keepingCapacity: true)
        lastFlush = MonotonicClock.nanoseconds()
    }

    /// Writes all of `bytes` to `descriptor`, retrying interrupted and partial writes; false
    /// when a write fails (`errno` says why: EPIPE for a pipe whose reader left).
    @discardableResult
    public static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Writes all of `text` to `descriptor` (``write(_:to:)``).
    @discardableResult
    public static func write(_ text: String, to descriptor: Int32) -> Bool {
        var text = text
        return text.withUTF8 { write(UnsafeRawBufferPointer($0), to: descriptor) }
    }
}
