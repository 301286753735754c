import Foundation

/// Ownership of a run directory: an exclusive advisory lock (`flock`) on `<run>/.lock`, which
/// holds the owner's PID as text. Held until the value is released or the process ends (the
/// kernel drops it on any exit, `kill -9` included), so a stale lock cannot exist.
public final class RunLock: @unchecked Sendable {
    /// The lock file's name inside the run directory.
    public static let fileName = ".lock"

    /// The lock file.
    public let path: String
    private var descriptor: Int32

    /// Takes the lock of the existing directory `directory`.
    /// - Throws: ``RunDirectoryError/inUse(path:pid:)`` when another process holds it;
    ///   ``ModelFileError/io(path:reason:)`` when the lock file cannot be opened.
    public init(directory: String) throws {
        path = directory + "/" + Self.fileName
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ModelFileError.io(path: path, reason: "cannot open the lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = Self.holder(descriptor)
            close(descriptor)
            if failure == EWOULDBLOCK { throw RunDirectoryError.inUse(path: directory, pid: holder) }
            throw ModelFileError.io(path: path, reason: "cannot lock: \(String(cString: strerror(failure)))")
        }
        let text = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    deinit { release() }

    /// Gives the directory up (closing the lock file drops the lock).
    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    /// The PID written in the lock file, if it holds one.
    private static func holder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
