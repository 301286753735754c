import Foundation

/// Writes files so that a reader never sees a half-written one: the bytes go to a temporary
/// name in the same directory, which is then renamed over the destination.
public enum AtomicFile {
    /// Writes `data` to `path` atomically; on failure the destination is left untouched.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw TextError.unwritable(path: path, reason: "cannot create \(temporary) (does the directory exist and is it writable?)")
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TextError.unwritable(path: path, reason: reason)
        }
    }

    /// Moves a finished temporary file into place, removing the temporary on failure.
    public static func commit(temporary: String, to path: String) throws {
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TextError.unwritable(path: path, reason: reason)
        }
    }
}
