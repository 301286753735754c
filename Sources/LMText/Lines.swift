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

/// Streams a file's lines through a fixed-size buffer, so memory stays bounded by the
/// longest line, not by the file.
public struct LineReader {
    /// The file being read.
    public let path: String
    /// Bytes read per system call.
    public let chunkSize: Int

    /// A reader for `path`, reading `chunkSize` bytes at a time (default 1 MiB).
    public init(path: String, chunkSize: Int = 1 << 20) {
        self.path = path
        self.chunkSize = chunkSize
    }

    /// Calls `body` with each line (terminator included) and the byte offset of its first
    /// byte in the file.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        let descriptor = open(path, O_RDONLY)
        if descriptor < 0 {
            throw TextError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var isDirectory = stat()
        if fstat(descriptor, &isDirectory) == 0 && (isDirectory.st_mode & S_IFMT) == S_IFDIR {
            throw TextError.unreadable(path: path, reason: "is a directory, not a text file")
        }
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        var filled = 0          // bytes in buffer
        var fileOffset = 0      // file offset of buffer[0]
        var endOfFile = false
        while !endOfFile {
            if filled == buffer.count {
                // One line longer than the buffer: grow it.
                let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 64)
                bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
                buffer.deallocate()
                buffer = bigger
            }
            let got = read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if got < 0 {
                if errno == EINTR { continue }
                throw TextError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if got == 0 { endOfFile = true }
            filled += got
            let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: filled)
            // Hand out every complete line; keep the unfinished tail for the next read.
            var start = 0
            while start < filled {
                guard let found = memchr(bytes.baseAddress! + start, 0x0A, filled - start) else { break }
                let end = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                try body(UnsafeBufferPointer(rebasing: bytes[start..<end]), fileOffset + start)
                start = end
            }
            if endOfFile && start < filled {
                try body(UnsafeBufferPointer(rebasing: bytes[start..<filled]), fileOffset + start)
                start = filled
            }
            if start > 0 {
                memmove(buffer.baseAddress!, buffer.baseAddress! + start, filled - start)
                filled -= start
                fileOffset += start
            }
        }
    }
}
