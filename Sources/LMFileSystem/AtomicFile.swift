import Foundation

/// Writes files so that a reader never sees a half-written one: the bytes go to a temporary
/// name in the same directory, are flushed to the disk, and the temporary is then renamed over
/// the destination. Failures name the system's reason in plain words (``SystemError``).
public enum AtomicFile {
    /// Writes `data` to `path` atomically; on failure the destination is left untouched and
    /// no temporary file remains. An output that is one of `inputs` is refused before anything
    /// is created.
    /// - Throws: ``FileError/overwritesInput(output:input:)``, ``FileError/unwritable(path:reason:)``.
    public static func write(_ data: Data, to path: String, sparing inputs: InputFiles = InputFiles()) throws {
        try inputs.check(output: path)
        let temporary = temporaryPath(for: path)
        let descriptor = create(temporary)
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

    /// The temporary name beside `path` a write goes to first: `.<name>.<tag>-<pid>` in the same
    /// directory; a name too long for that (the file system's limit is 255 bytes) is cut and
    /// ends in a hash of the whole name, so every legal output name has a legal temporary.
    public static func temporaryPath(for path: String, tag: String = "tmp") -> String {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        let suffix = ".\(tag)-\(getpid())"
        let limit = Int(NAME_MAX)
        guard 1 + name.utf8.count + suffix.utf8.count > limit else { return directory + "/." + name + suffix }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325   // FNV-1a over the name's bytes
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let mark = "~" + String(hash, radix: 16)
        var kept = Substring(name)
        while 1 + kept.utf8.count + mark.utf8.count + suffix.utf8.count > limit { kept = kept.dropLast() }
        return directory + "/." + kept + mark + suffix
    }

    /// Creates the temporary file `temporary` for writing, never through a link: a file of
    /// that name (a killed write's, or a planted link) is removed first, and the name is then
    /// created exclusively. Returns the descriptor, or -1 with `errno` set.
    public static func create(_ temporary: String) -> Int32 {
        unlink(temporary)
        return open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
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
