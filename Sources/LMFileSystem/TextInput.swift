import Foundation

/// A text file opened once, as the user named it, and readable as often as needed.
///
/// A regular file is read in place. A stream — a pipe, a FIFO, `/dev/stdin`, a process
/// substitution, or `-` for standard input — is read in one pass and spooled into an unlinked
/// temporary file, so a vocabulary build and a token stream can both read it. Opening a FIFO
/// waits at most `writerTimeout` seconds for a writer's first bytes instead of blocking
/// forever. Directories, sockets and block devices are refused with a message naming the path.
/// With `recordsDigest`, every sequential pass over a regular file from byte 0 hashes the bytes
/// it reads, so the size and SHA-256 (``digest``) are those of the bytes the last pass actually
/// read, not of the file as it was at another time; two complete passes that read different
/// bytes (the file was truncated or rewritten while it was read) are an error.
public final class TextInput {
    /// The name `-`, meaning standard input.
    public static let standardInput = "-"
    /// How long opening a FIFO waits for a writer, in seconds.
    public static let defaultWriterTimeout: Double = 5

    /// The path as given (used in messages).
    public let path: String
    /// Whether the input was a stream (and is now read from a spooled copy).
    public let isStream: Bool
    /// Size in bytes.
    public let size: Int
    /// Size and SHA-256 of the last complete pass (or of the pass ``contentDigest()`` finished).
    public private(set) var digest: ContentDigest?

    private let descriptor: Int32
    private let recordsDigest: Bool
    /// The hash of the pass in progress (nil when none is), and how many bytes it has hashed.
    private var hasher: SHA256?
    private var hashed = 0

    /// Opens `path` (`-` for standard input).
    /// - Throws: `FileError.unreadable` naming the path and the problem (missing, a directory,
    ///   a socket, a FIFO nobody writes to, a read error); `FileError.unwritable` when a
    ///   stream cannot be spooled (e.g. the temporary directory is full).
    public init(path: String, recordsDigest: Bool = false, writerTimeout: Double = TextInput.defaultWriterTimeout) throws {
        self.path = path
        var source: Int32
        if path == Self.standardInput {
            source = dup(STDIN_FILENO)
            if source < 0 { throw FileError.unreadable(path: "<stdin>", reason: Self.reason(errno)) }
        } else {
            var info = stat()
            if stat(path, &info) != 0 { throw FileError.unreadable(path: path, reason: Self.reason(errno)) }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: throw FileError.unreadable(path: path, reason: "is a directory, not a text file")
            case S_IFSOCK: throw FileError.unreadable(path: path, reason: "is a socket, not a text file (pipe its text into '-' instead)")
            case S_IFBLK: throw FileError.unreadable(path: path, reason: "is a block device, not a text file")
            case S_IFIFO: source = try Self.openFIFO(path, timeout: writerTimeout)
            default:
                source = open(path, O_RDONLY)
                if source < 0 { throw FileError.unreadable(path: path, reason: Self.reason(errno)) }
            }
        }
        var info = stat()
        guard fstat(source, &info) == 0 else {
            let message = Self.reason(errno)
            close(source)
            throw FileError.unreadable(path: path, reason: message)
        }
        self.recordsDigest = recordsDigest
        if recordsDigest { hasher = SHA256() }
        if (info.st_mode & S_IFMT) == S_IFREG && path != Self.standardInput {
            descriptor = source
            isStream = false
            size = Int(info.st_size)
        } else if (info.st_mode & S_IFMT) == S_IFDIR {
            close(source)
            throw FileError.unreadable(path: path, reason: "is a directory, not a text file")
        } else {
            defer { close(source) }
            isStream = true
            (descriptor, size) = try Self.spool(source, path: path, hasher: &hasher)
            if var finished = hasher {
                digest = ContentDigest(bytes: size, sha256: finished.hexDigest())
                hasher = nil
            }
            hashed = size
        }
    }

    deinit { close(descriptor) }

    /// Reads up to `count` bytes at byte `offset` into `buffer`; 0 at the end. When the digest
    /// is recorded, a read at offset 0 of a regular file starts a new pass and sequential reads
    /// feed its hash, so the digest is taken over the very bytes returned.
    /// - Throws: `FileError.unreadable` on a read error, or when a pass ends having read other
    ///   bytes than an earlier complete pass (the file changed while it was read).
    public func read(into buffer: UnsafeMutableRawPointer, count: Int, at offset: Int) throws -> Int {
        while true {
            let got = pread(descriptor, buffer, count, off_t(offset))
            if got < 0 {
                if errno == EINTR { continue }
                throw FileError.unreadable(path: path, reason: Self.reason(errno))
            }
            if recordsDigest && !isStream && offset == 0 { (hasher, hashed) = (SHA256(), 0) }
            if hasher != nil && offset == hashed {
                if got == 0 {
                    try finishPass()
                } else {
                    hasher!.update(UnsafeRawBufferPointer(start: buffer, count: got))
                    hashed += got
                }
            }
            return got
        }
    }

    /// Records the digest of the pass that just reached the end, refusing one that read other
    /// bytes than an earlier complete pass.
    private func finishPass() throws {
        let finished = ContentDigest(bytes: hashed, sha256: hasher!.hexDigest())
        hasher = nil
        if let earlier = digest, earlier != finished {
            throw FileError.unreadable(path: path, reason: "it changed while it was read (one pass read \(earlier.bytes) bytes, the next \(finished.bytes) bytes with another SHA-256); read it when nothing writes to it")
        }
        digest = finished
    }

    /// Size and SHA-256 of the whole input: a pass in progress is read on to the end (so a
    /// pass cut short, e.g. by a token limit, is hashed over the bytes it did read and the
    /// rest), else the last complete pass's digest, else a new pass.
    public func contentDigest() throws -> ContentDigest {
        if hasher == nil, let digest { return digest }
        if hasher == nil { (hasher, hashed) = (SHA256(), 0) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while hasher != nil { _ = try read(into: buffer, count: 1 << 20, at: hashed) }
        return digest!
    }

    // MARK: - Opening

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Opens a FIFO without blocking, waits for the first bytes (or the writer's end), then
    /// switches back to blocking reads.
    private static func openFIFO(_ path: String, timeout: Double) throws -> Int32 {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        if descriptor < 0 { throw FileError.unreadable(path: path, reason: reason(errno)) }
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let left = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            let ready = poll(&request, 1, left)
            if ready > 0 { break }
            if ready < 0 && errno == EINTR { continue }
            close(descriptor)
            if ready < 0 { throw FileError.unreadable(path: path, reason: reason(errno)) }
            throw FileError.unreadable(path: path, reason: String(format: "is a FIFO and nothing was written to it within %g s; start the program that writes it first", timeout))
        }
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, flags & ~O_NONBLOCK)
        return descriptor
    }

    /// Copies a stream into an unlinked temporary file; returns its descriptor and size.
    private static func spool(_ source: Int32, path: String, hasher: inout SHA256?) throws -> (Int32, Int) {
        let directory = NSTemporaryDirectory()
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast()) + Array("lmkit-input-XXXXXX".utf8CString)
        let spooled = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        let spoolPath = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        if spooled < 0 {
            throw FileError.unwritable(path: spoolPath, reason: "cannot keep a copy of \(path) to read it twice: \(reason(errno))")
        }
        unlink(spoolPath)
        let chunk = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 64)
        defer { buffer.deallocate() }
        var total = 0
        do {
            while true {
                let got = Foundation.read(source, buffer, chunk)
                if got < 0 {
                    if errno == EINTR { continue }
                    throw FileError.unreadable(path: path == standardInput ? "<stdin>" : path, reason: reason(errno))
                }
                if got == 0 { break }
                hasher?.update(UnsafeRawBufferPointer(start: buffer, count: got))
                var written = 0
                while written < got {
                    let put = write(spooled, buffer + written, got - written)
                    if put < 0 {
                        if errno == EINTR { continue }
                        throw FileError.unwritable(path: directory, reason: "cannot keep a copy of \(path) to read it twice: \(reason(errno))")
                    }
                    written += put
                }
                total += got
            }
        } catch {
            close(spooled)
            throw error
        }
        return (spooled, total)
    }
}
