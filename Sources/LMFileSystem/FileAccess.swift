import Foundation

/// File-system steps whose failures are reported in plain words (``SystemError``), naming the
/// path and the system's reason.
public enum FileAccess {
    /// Creates `path` and any missing parents (as `mkdir -p`).
    /// - Throws: `FileError.unwritable` naming the part of the path that failed and why, e.g.
    ///   "runs/x: cannot write: a part of the path is not a directory (runs/x is a file)".
    public static func createDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            var info = stat()
            if stat(prefix, &info) == 0 {
                if (info.st_mode & S_IFMT) == S_IFDIR { continue }
                throw FileError.unwritable(path: path, reason: prefix == path ? "it is a file, not a directory"
                                           : "\(SystemError.describe(ENOTDIR)) (\(prefix) is a file)")
            }
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                let reason = SystemError.current
                throw FileError.unwritable(path: path, reason: prefix == path ? reason : "cannot create \(prefix): \(reason)")
            }
        }
    }

    /// Why `path` cannot be read as a file, in plain words ("no such file or directory",
    /// "permission denied", "it is a directory", ...); nil when it can be opened.
    public static func unreadableReason(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return SystemError.current }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR { return SystemError.describe(EISDIR) }
        return nil
    }

    /// The whole content of the file at `path`: a regular file, or anything else that reads
    /// to an end (a pipe, `/dev/null`, which holds nothing).
    /// - Throws: `FileError.unreadable` with the system's reason in plain words.
    public static func contents(of path: String) throws -> Data {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError.unreadable(path: path, reason: SystemError.current) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw FileError.unreadable(path: path, reason: SystemError.current) }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw FileError.unreadable(path: path, reason: SystemError.describe(EISDIR)) }
        var data = Data()
        if (info.st_mode & S_IFMT) == S_IFREG { data.reserveCapacity(Int(info.st_size)) }
        let chunk = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: chunk, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer, chunk)
            if count < 0 {
                if errno == EINTR { continue }
                throw FileError.unreadable(path: path, reason: SystemError.current)
            }
            if count == 0 { return data }
            data.append(buffer.assumingMemoryBound(to: UInt8.self), count: count)
        }
    }
}
