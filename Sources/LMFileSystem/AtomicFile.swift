import Foundation

/// Writes files so that a reader never sees a half-written one: the bytes go to a temporary
/// name in the same directory, are flushed to the disk, and the temporary is then renamed over
/// the destination. Failures name the system's reason in plain words (``SystemError``).
public enum AtomicFile {
    /// Writes `data` to `path` atomically; on failure the destination is left untouched and
    /// no temporary file remains.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw FileError.unwritable(path: path, reason: SystemError.current)
        }
        func fail() -> FileError {
            let reason = SystemError.current
            close(descriptor)
            unlink(temporary)
            return FileError.unwritable(path: path, reason: reason)
        }
        let written: Bool = data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Foundation.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
        guard written, fsync(descriptor) == 0 else { throw fail() }
        guard close(descriptor) == 0 else {
            let reason = SystemError.current
            unlink(temporary)
            throw FileError.unwritable(path: path, reason: reason)
        }
        try commit(temporary: temporary, to: path)
    }

    /// Moves a finished temporary file into place, removing the temporary on failure.
    public static func commit(temporary: String, to path: String) throws {
        if rename(temporary, path) != 0 {
            let reason = SystemError.current
            unlink(temporary)
            throw FileError.unwritable(path: path, reason: reason)
        }
    }
}
