import Foundation

/// The files a command reads (its inputs, and a run's own files), identified by device and
/// inode, so that an output which would replace one of them is refused however its path is
/// spelled: `./f.txt`, a hard link or a symbolic link to `f.txt` are all `f.txt`.
public struct InputFiles: Sendable {
    /// One input: the path as given and the file it named when added.
    private struct Entry: Sendable {
        let path: String
        let device: UInt64
        let inode: UInt64
    }
    private var entries: [Entry] = []

    /// No inputs.
    public init() {}

    /// The existing files among `paths` (a path naming nothing is skipped).
    public init(_ paths: [String]) {
        for path in paths { add(path) }
    }

    /// Adds the file `path` names (following links), if it exists.
    public mutating func add(_ path: String) {
        guard let (device, inode) = Self.identity(of: path) else { return }
        entries.append(Entry(path: path, device: device, inode: inode))
    }

    /// Adds every input of `other`.
    public mutating func add(_ other: InputFiles) {
        entries += other.entries
    }

    /// The input `output` would overwrite (the same file, by device and inode), or nil.
    public func input(overwrittenBy output: String) -> String? {
        guard let (device, inode) = Self.identity(of: output) else { return nil }
        return entries.first { $0.device == device && $0.inode == inode }?.path
    }

    /// Refuses an output that is one of the inputs.
    /// - Throws: ``FileError/overwritesInput(output:input:)`` naming both.
    public func check(output: String) throws {
        if let input = input(overwrittenBy: output) { throw FileError.overwritesInput(output: output, input: input) }
    }

    /// The device and inode of the file `path` names, following links; nil when there is none.
    private static func identity(of path: String) -> (UInt64, UInt64)? {
        var info = stat()
        guard !path.isEmpty, stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }
}
