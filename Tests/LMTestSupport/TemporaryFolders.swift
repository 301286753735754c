import Foundation

/// Fresh folders for tests, all inside one folder per test process
/// (`$TMPDIR/lmkit-tests-<pid>`), which is deleted when the process exits, so runs of the
/// suite leave nothing behind.
public enum TemporaryFolders {
    /// The test process's folder, made on first use; its removal is registered with `atexit`.
    static let root: String = {
        let path = NSTemporaryDirectory() + "lmkit-tests-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)   // a previous process with the same PID
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: TemporaryFolders.root) }
        return path
    }()

    /// A new, empty folder whose name starts with `label`.
    public static func make(_ label: String) -> String {
        let path = root + "/" + label + "-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
