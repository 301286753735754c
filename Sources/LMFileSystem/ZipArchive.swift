import CZlib
import Foundation

/// A zip archive read for its members (the format of d2l's `ptb.zip`): the central directory
/// lists them; ``extract(_:to:)`` inflates one (stored or deflated) to a file in 256 KiB pieces,
/// and checks its size and CRC-32 before the file appears under its name.
///
/// Not supported, each refused with a clear error: zip64, encryption, methods other than
/// stored (0) and deflate (8), archives split over several disks.
public struct ZipArchive {
    /// One member as the central directory describes it.
    public struct Member: Equatable, Sendable {
        public let name: String
        /// 0 stored, 8 deflate.
        public let method: UInt16
        public let crc32: UInt32
        public let compressedSize: Int
        public let size: Int
        let flags: UInt16
        let localHeaderOffset: Int
    }

    /// The archive's path.
    public let path: String
    /// Its members in directory order (directories included, with names ending in "/").
    public let members: [Member]

    /// Reads the central directory of the archive at `path`.
    /// - Throws: ``FileError/unreadable(path:reason:)``, ``FileError/badArchive(path:reason:)``.
    public init(path: String) throws {
        self.path = path
        let data = try FileAccess.contents(of: path)
        members = try Self.readDirectory(data, path: path)
    }

    /// The member called `name`, if any.
    public func member(named name: String) -> Member? { members.first { $0.name == name } }

    /// Inflates member `name` into `destination` (written to a temporary name and renamed
    /// after its size and CRC-32 match the directory's).
    public func extract(_ name: String, to destination: String) throws {
        guard let member = member(named: name) else {
            let files = members.filter { !$0.name.hasSuffix("/") }.map(\.name)
            throw FileError.badArchive(path: path, reason: "has no member \(name) (it holds \(files.joined(separator: ", ")))")
        }
        if member.flags & 1 != 0 { throw FileError.badArchive(path: path, reason: "\(name) is encrypted") }
        guard member.method == 0 || member.method == 8 else {
            throw FileError.badArchive(path: path, reason: "\(name) uses compression method \(member.method); only stored (0) and deflate (8) are supported")
        }
        let data = try FileAccess.contents(of: path)
        let start = try dataOffset(of: member, in: data)
        guard start + member.compressedSize <= data.count else {
            throw FileError.badArchive(path: path, reason: "\(name) runs past the end of the file (truncated archive?)")
        }
        let directory = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        try FileAccess.createDirectory(directory)
        let temporary = AtomicFile.temporaryPath(for: destination, tag: "extract")
        let descriptor = AtomicFile.create(temporary)
        guard descriptor >= 0 else { throw FileError.unwritable(path: temporary, reason: SystemError.current) }
        defer { unlink(temporary) }
        let out = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        var crc = CZlib.crc32(0, nil, 0)
        var written = 0
        func emit(_ bytes: UnsafeRawBufferPointer) throws {
            crc = CZlib.crc32(crc, bytes.bindMemory(to: Bytef.self).baseAddress, uInt(bytes.count))
            written += bytes.count
            guard written <= member.size else {
                throw FileError.badArchive(path: path, reason: "\(name) inflates to more than its recorded \(member.size) bytes")
            }
            do { try out.write(contentsOf: Data(bytes)) } catch {
                throw FileError.unwritable(path: temporary, reason: SystemError.describe(error))
            }
        }
        do {
            defer { try? out.close() }
            try data.withUnsafeBytes { all in
                let input = UnsafeRawBufferPointer(rebasing: all[start..<(start + member.compressedSize)])
                if member.method == 0 { try emit(input) } else { try inflate(input, name: name, emit: emit) }
            }
        }
        guard written == member.size, crc == UInt(member.crc32) else {
            throw FileError.badArchive(path: path, reason: "\(name) is damaged (inflated \(written) of \(member.size) bytes, CRC-32 \(String(crc, radix: 16)), expected \(String(member.crc32, radix: 16)))")
        }
        try AtomicFile.commit(temporary: temporary, to: destination)
    }

    /// Raw-deflate decoding of `input` in 256 KiB pieces handed to `emit`.
    private func inflate(_ input: UnsafeRawBufferPointer, name: String, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw FileError.badArchive(path: path, reason: "zlib could not start inflating \(name)")
        }
        defer { inflateEnd(&stream) }
        let chunk = 1 << 18
        let buffer = UnsafeMutablePointer<Bytef>.allocate(capacity: chunk)
        defer { buffer.deallocate() }
        stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.avail_in = uInt(input.count)
        while true {
            stream.next_out = buffer
            stream.avail_out = uInt(chunk)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            let produced = chunk - Int(stream.avail_out)
            if produced > 0 { try emit(UnsafeRawBufferPointer(start: buffer, count: produced)) }
            if status == Z_STREAM_END { return }
            guard status == Z_OK else {
                let reason = stream.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw FileError.badArchive(path: path, reason: "\(name) does not inflate: \(reason)")
            }
            if stream.avail_in == 0 && produced == 0 {
                throw FileError.badArchive(path: path, reason: "\(name) ends before its deflate stream does (truncated archive?)")
            }
        }
    }

    /// Where a member's data start: after its local header, whose name and extra field lengths
    /// may differ from the central directory's.
    private func dataOffset(of member: Member, in data: Data) throws -> Int {
        let o = member.localHeaderOffset
        guard o + 30 <= data.count, Self.u32(data, o) == 0x0403_4b50 else {
            throw FileError.badArchive(path: path, reason: "\(member.name): no local header at offset \(o)")
        }
        return o + 30 + Int(Self.u16(data, o + 26)) + Int(Self.u16(data, o + 28))
    }

    private static func u16(_ d: Data, _ o: Int) -> UInt16 {
        UInt16(d[d.startIndex + o]) | UInt16(d[d.startIndex + o + 1]) << 8
    }

    private static func u32(_ d: Data, _ o: Int) -> UInt32 {
        UInt32(u16(d, o)) | UInt32(u16(d, o + 2)) << 16
    }

    /// Parses the end-of-central-directory record (searched backwards over the comment) and the
    /// directory it points at.
    static func readDirectory(_ data: Data, path: String) throws -> [Member] {
        func bad(_ reason: String) -> FileError { .badArchive(path: path, reason: reason) }
        guard data.count >= 22 else { throw bad("is not a zip archive (\(data.count) bytes, too short)") }
        var end = -1
        var o = data.count - 22
        let lowest = max(0, data.count - 22 - 65_535)
        while o >= lowest {
            if u32(data, o) == 0x0605_4b50 { end = o; break }
            o -= 1
        }
        guard end >= 0 else { throw bad("is not a zip archive (no end-of-central-directory record)") }
        let disk = u16(data, end + 4), directoryDisk = u16(data, end + 6)
        let count = Int(u16(data, end + 10))
        let size = Int(u32(data, end + 12)), offset = Int(u32(data, end + 16))
        if disk != 0 || directoryDisk != 0 { throw bad("spans several disks; join it into one file first") }
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF { throw bad("is a zip64 archive, which is not supported") }
        guard offset + size <= end else { throw bad("its central directory (offset \(offset), \(size) bytes) lies outside the file") }
        var members: [Member] = []
        var p = offset
        for index in 0..<count {
            guard p + 46 <= offset + size, u32(data, p) == 0x0201_4b50 else {
                throw bad("central directory entry \(index + 1) of \(count) is damaged")
            }
            let nameLength = Int(u16(data, p + 28)), extra = Int(u16(data, p + 30)), comment = Int(u16(data, p + 32))
            guard p + 46 + nameLength <= offset + size else { throw bad("central directory entry \(index + 1) is truncated") }
            let nameBytes = data[(data.startIndex + p + 46)..<(data.startIndex + p + 46 + nameLength)]
            guard let name = String(bytes: nameBytes, encoding: .utf8) else { throw bad("member \(index + 1) has a name that is not UTF-8") }
            let compressed = u32(data, p + 20), uncompressed = u32(data, p + 24), local = u32(data, p + 42)
            if compressed == 0xFFFF_FFFF || uncompressed == 0xFFFF_FFFF || local == 0xFFFF_FFFF {
                throw bad("\(name) needs zip64, which is not supported")
            }
            members.append(Member(name: name, method: u16(data, p + 10), crc32: u32(data, p + 16),
                                  compressedSize: Int(compressed), size: Int(uncompressed),
                                  flags: u16(data, p + 8), localHeaderOffset: Int(local)))
            p += 46 + nameLength + extra + comment
        }
        return members
    }
}

extension ZipArchive {
    /// The CRC-32 (zip's, zlib's `crc32`) of the file at `path`.
    public static func crc32(ofFile path: String) throws -> UInt32 {
        let data = try FileAccess.contents(of: path)
        let value = data.withUnsafeBytes { CZlib.crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count)) }
        return UInt32(truncatingIfNeeded: value)
    }
}
