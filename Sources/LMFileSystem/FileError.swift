/// Everything that can go wrong reading, writing or unpacking a file, each with a message
/// naming the path and the reason in plain words (``SystemError``).
public enum FileError: Error, CustomStringConvertible, Equatable {
    /// The file could not be opened or read.
    case unreadable(path: String, reason: String)
    /// The file could not be written.
    case unwritable(path: String, reason: String)
    /// An archive (a corpus's zip) that cannot be read or unpacked.
    case badArchive(path: String, reason: String)
    /// An output that is one of the files the command reads (``InputFiles``): writing it would
    /// destroy the input.
    case overwritesInput(output: String, input: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .unwritable(path, reason):
            return "\(path): cannot write: \(reason)"
        case let .badArchive(path, reason):
            return "\(path): \(reason)"
        case let .overwritesInput(output, input):
            let same = output == input ? "it is an input of this command" : "it is the same file as the input \(input)"
            return "\(output): cannot write the output there: \(same); choose another output file"
        }
    }
}
