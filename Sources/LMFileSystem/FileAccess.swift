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

    /// The whole content of the regular file at `path`.
    /// - Throws: `FileError.unreadable` with the system's reason in plain words.
    public static func contents(of path: String) throws -> Data {
        if let reason = unreadableReason(path) { throw FileError.unreadable(path: path, reason: reason) }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FileError.unreadable(path: path, reason: SystemError.describe(error))
        }
    }
}
