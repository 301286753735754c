/// Why a directory cannot be used as a run directory, each with what to do instead.
public enum RunDirectoryError: Error, CustomStringConvertible, Equatable {
    /// Another process (with this PID, when its lock file says) owns the run.
    case inUse(path: String, pid: Int32?)
    /// A folder that is not a run (no LMKit `config.json`) and holds these entries.
    case notARunFolder(path: String, entries: [String])
    /// A run whose files under LMKit's names were not written by LMKit.
    case foreignFiles(path: String, files: [String])

    public var description: String {
        switch self {
        case let .inUse(path, pid):
            return "\(path) is in use by another lm-train (" + (pid.map { "pid \($0)" } ?? "pid unknown")
                + "); wait for it to finish, or choose another run.output"
        case let .notARunFolder(path, entries):
            return "\(path) is not empty and is not an LMKit run (no LMKit config.json); it holds "
                + Self.list(entries) + "; choose another run.output"
        case let .foreignFiles(path, files):
            return "\(path): " + Self.list(files) + (files.count == 1 ? " was" : " were")
                + " not written by LMKit; move them away before run.overwrite or run.resume"
        }
    }

    /// Up to five names, then how many more.
    private static func list(_ names: [String]) -> String {
        let shown = names.prefix(5).joined(separator: ", ")
        return names.count > 5 ? shown + " and \(names.count - 5) more" : shown
    }
}
