/// Everything that can go wrong in the text layer, each with a message a user can act on (a
/// file that cannot be read or written is a `FileError`).
public enum TextError: Error, CustomStringConvertible, Equatable {
    /// The file holds bytes that are not UTF-8, first at `offset` (bytes from the start).
    case invalidUTF8(path: String, offset: Int)
    /// Text read through a pipeline that does not replace invalid UTF-8 (a vocabulary's),
    /// with what the user can do about it in this tool.
    case invalidUTF8Input(path: String, offset: Int, remedy: String)
    /// A vocabulary file that is not one, or is damaged.
    case notAVocabulary(path: String, reason: String)
    /// A setting that has no meaning (unknown preset, bad min-freq, ...).
    case invalidSetting(String)
    /// A corpus that could not be obtained by name.
    case corpusUnavailable(name: String, reason: String)
    /// A corpus whose content does not match its registered SHA-1.
    case corpusHashMismatch(path: String, expected: String, actual: String)

    public var description: String {
        switch self {
        case let .invalidUTF8(path, offset):
            return "\(path): invalid UTF-8 at byte offset \(offset) (pass pipeline.replaceInvalidUTF8 to substitute U+FFFD)"
        case let .invalidUTF8Input(path, offset, remedy):
            return "\(path): invalid UTF-8 at byte offset \(offset); \(remedy)"
        case let .notAVocabulary(path, reason):
            return "\(path): not an LMKit vocabulary file: \(reason)"
        case let .invalidSetting(message):
            return message
        case let .corpusUnavailable(name, reason):
            return "corpus '\(name)': \(reason)"
        case let .corpusHashMismatch(path, expected, actual):
            return "\(path): SHA-1 is \(actual) but the registry expects \(expected); the file is damaged or a different version: delete it and fetch again"
        }
    }

    /// Runs `body`; an invalid-UTF-8 error becomes ``invalidUTF8Input(path:offset:remedy:)``
    /// with `remedy`, for tools where `--replace-invalid` is not an option.
    public static func remedyingInvalidUTF8<T>(_ remedy: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let TextError.invalidUTF8(path, offset) {
            throw TextError.invalidUTF8Input(path: path, offset: offset, remedy: remedy)
        }
    }
}
