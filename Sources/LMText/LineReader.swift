import Foundation
import LMFileSystem

/// Streams a file's lines through a fixed-size buffer, so memory stays bounded by the
/// longest line, not by the file; with a cut rule (``forEachSegment(cuttingAt:_:)``), by the
/// buffer alone.
public struct LineReader {
    /// The file being read.
    public let path: String
    /// Bytes read per system call.
    public let chunkSize: Int
    private let input: TextInput?

    /// A reader for `path`, reading `chunkSize` bytes at a time (default 1 MiB). The file is
    /// opened (as a ``TextInput``) when reading starts.
    public init(path: String, chunkSize: Int = 1 << 20) {
        self.path = path
        self.chunkSize = chunkSize
        self.input = nil
    }

    /// A reader for an opened input.
    public init(input: TextInput, chunkSize: Int = 1 << 20) {
        self.path = input.path
        self.chunkSize = chunkSize
        self.input = input
    }

    /// Calls `body` with each line (terminator included) and the byte offset of its first
    /// byte in the file.
    public func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws -> Void) throws {
        try forEachSegment(cuttingAt: nil) { segment, offset, _ in try body(segment, offset) }
    }

    /// Calls `body` with each line, or piece of a line, its byte offset and whether it ends
    /// the line. A line longer than the buffer is cut before the last position `i` where
    /// `cut(bytes, i)` holds (`0 < i < bytes.count`), so memory stays at the buffer size;
    /// without a cut rule, or where it finds no position, the buffer grows to hold the line.
    public func forEachSegment(cuttingAt cut: ((UnsafeBufferPointer<UInt8>, Int) -> Bool)?,
                               _ body: (UnsafeBufferPointer<UInt8>, Int, Bool) throws -> Void) throws {
        try forEachBlock(cuttingAt: cut) { block, offset, endsLine in
            var start = 0
            try Lines.forEach(in: block) { line in
                try body(line, offset + start, endsLine || line.last == 0x0A)
                start += line.count
            }
        }
    }

    /// Calls `body` with the buffer's contents a read at a time: either every complete line
    /// the buffer holds (terminators included; at the end of the file, the last line even
    /// without one), with `endsLine` true, or the head of a line longer than the buffer, cut
    /// as in ``forEachSegment(cuttingAt:_:)``, with `endsLine` false. The offset is the
    /// file offset of the block's first byte. Blocks are at most the buffer size (unless a
    /// line without a cut grows it), never empty, and follow each other without gaps.
    public func forEachBlock(cuttingAt cut: ((UnsafeBufferPointer<UInt8>, Int) -> Bool)?,
                             _ body: (UnsafeBufferPointer<UInt8>, Int, Bool) throws -> Void) throws {
        let input = try self.input ?? TextInput(path: path)
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(chunkSize, 1), alignment: 64)
        defer { buffer.deallocate() }
        var filled = 0          // bytes in buffer
        var fileOffset = 0      // file offset of buffer[0]
        var endOfFile = false
        while !endOfFile {
            if filled == buffer.count {
                let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: filled)
                var position = filled - 1
                if let cut { while position > 0 && !cut(bytes, position) { position -= 1 } } else { position = 0 }
                if position > 0 {
                    // One line longer than the buffer: hand out its head, up to a safe cut.
                    try body(UnsafeBufferPointer(rebasing: bytes[0..<position]), fileOffset, false)
                    memmove(buffer.baseAddress!, buffer.baseAddress! + position, filled - position)
                    filled -= position
                    fileOffset += position
                } else {
                    // No safe cut: grow the buffer.
                    let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 64)
                    bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
                    buffer.deallocate()
                    buffer = bigger
                }
            }
            let got = try input.read(into: buffer.baseAddress! + filled, count: buffer.count - filled, at: fileOffset + filled)
            if got == 0 { endOfFile = true }
            let searched = filled   // bytes before it hold no line end (they were the unfinished tail)
            filled += got
            let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: filled)
            // Hand out every complete line at once; keep the unfinished tail for the next read.
            var end = filled
            if !endOfFile {
                while end > searched && bytes[end - 1] != 0x0A { end -= 1 }
                if end == searched { end = 0 }
            }
            if end > 0 {
                try body(UnsafeBufferPointer(rebasing: bytes[0..<end]), fileOffset, true)
                memmove(buffer.baseAddress!, buffer.baseAddress! + end, filled - end)
                filled -= end
                fileOffset += end
            }
        }
    }
}
