/// What keeps a server from starting, each naming the setting or run directory.
public enum ServeError: Error, Equatable, CustomStringConvertible {
    /// A setting out of range: the field (`serve.limits.rows`) and the problem.
    case setting(String, String)
    /// A run directory that cannot be served, and why.
    case model(path: String, String)

    public var description: String {
        switch self {
        case let .setting(field, problem): "\(field): \(problem)"
        case let .model(path, problem): "\(path): \(problem)"
        }
    }
}
