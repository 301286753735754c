import Foundation
import LMFileSystem

/// Ownership of a run directory: an exclusive advisory lock (`flock`) on `<run>/.lock`, which
/// holds the owner's PID as text. Held while the value lives, or until the process ends (the
/// kernel drops it on any exit, `kill -9` included), so a stale lock cannot exist.
public final class RunLock: @unchecked Sendable {
    /// The lock file's name inside the run directory.
    public static let fileName = ".lock"

    /// The lock file.
    public let path: String
    private let descriptor: Int32

    /// Takes the lock of the existing directory `directory`. The owner is the process: a lock
    /// this process already holds on the directory is shared, not refused.
    /// - Throws: ``RunDirectoryError/inUse(path:pid:)`` when another process holds it;
    ///   ``ModelFileError/io(path:reason:)`` when the lock file cannot be opened.
    public static func acquire(directory: String) throws -> RunLock {
        var info = stat()
        guard stat(directory, &info) == 0 else {
            throw ModelFileError.io(path: directory, reason: "cannot lock: \(SystemError.current)")
        }
        let key = "\(info.st_dev):\(info.st_ino)"
        registryLock.lock()
        defer { registryLock.unlock() }
        if let held = held[key]?.lock { return held }
        let lock = try RunLock(directory: directory)
        held[key] = Held(lock: lock)
        return lock
    }

    /// The locks this process holds, by the directory's device and inode.
    private struct Held { weak var lock: RunLock? }
    nonisolated(unsafe) private static var held: [String: Held] = [:]
    private static let registryLock = NSLock()

    private init(directory: String) throws {
        path = directory + "/" + Self.fileName
        // Never through a link: a `.lock` that is one would have the PID written into its target.
        descriptor = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let failure = errno
            var info = stat()
            if failure == ELOOP || (lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK) {
                throw ModelFileError.io(path: path, reason: "the run's lock file is a symbolic link; LMKit writes its lock only to a file of its own (remove the link)")
            }
            throw ModelFileError.io(path: path, reason: "cannot open the lock file: \(SystemError.describe(failure))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw ModelFileError.io(path: path, reason: "the run's lock file is not a regular file; LMKit writes its lock only to a file of its own (remove it)")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = Self.holder(descriptor)
            close(descriptor)
            if failure == EWOULDBLOCK { throw RunDirectoryError.inUse(path: directory, pid: holder) }
            throw ModelFileError.io(path: path, reason: "cannot lock: \(SystemError.describe(failure))")
        }
        let text = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// The last reference gone, closing the lock file drops the lock.
    deinit { close(descriptor) }

    /// The PID written in the lock file, if it holds one.
    private static func holder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
