/// Errors describing a toy task: its data or the options of a session.
public enum ToyTaskError: Error, Equatable, CustomStringConvertible {
    /// A size or range parameter is out of bounds; the message says which and why.
    case invalidParameter(String)
    /// An option that does not apply to the task was given; the message says what to use instead.
    case inapplicableOption(String)

    /// An actionable, human-readable explanation of the error.
    public var description: String {
        switch self {
        case .invalidParameter(let message), .inapplicableOption(let message): return message
        }
    }
}
