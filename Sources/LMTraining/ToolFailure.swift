import Foundation

/// How the command-line tools turn a library error into what a user sees: one line on
/// stderr, `<tool>: <message>`, and exit status 1.
public enum ToolFailure {
    /// Runs `body`; an error from the library is printed as one line and the process exits 1.
    /// Errors of other kinds (argument-parser exits) pass through.
    public static func reporting<T>(tool: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as any Error & CustomStringConvertible where !(String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")) {
            FileHandle.standardError.write(Data("\(tool): \(error.description)\n".utf8))
            exit(1)
        }
    }
}
