import ArgumentParser
import Foundation

/// How the command-line tools turn an error into what a user sees, written once: an
/// argument-parser error or exit (`ExitCode`, `CleanExit`, `ValidationError`, help and parse
/// errors) is left to ArgumentParser (usage, help, exit status), as is a settings error that
/// is a usage error (``SettingsFlags/usageErrorKeys``, in ``LMTool``); any other error is a
/// library error, printed as one line on stderr, `<tool>: <message>`, with exit status 1.
/// Library messages name settings by key path; the tools name them by flag (``SettingsFlags``).
public enum ToolFailure {
    /// Whether ArgumentParser reports `error` itself: its exits, usage errors, and its own
    /// errors (a help request reaches `run()` as one), which it does not treat as a plain
    /// failure with exit status 1 as it does every other error.
    public static func isArgumentParserError(_ error: any Error) -> Bool {
        error is ExitCode || error is CleanExit || error is ValidationError
            || Probe.exitCode(for: error).rawValue != ExitCode.failure.rawValue
    }

    /// A command-line shape to ask ArgumentParser how it would report an error.
    private struct Probe: ParsableArguments {}

    /// Prints a library error as `<tool>: <message>` on stderr and exits with status 1.
    public static func exit(tool: String, _ error: any Error) -> Never {
        exit(tool: tool, message: SettingsFlags.message(for: error))
    }

    /// Prints `message` as `<tool>: <message>` on stderr and exits with status 1.
    public static func exit(tool: String, message: String) -> Never {
        note(tool: tool, message)
        Foundation.exit(1)
    }

    /// Runs `body`; a library error is printed as one line and the process exits 1.
    /// ArgumentParser's errors and exits pass through.
    public static func reporting<T>(tool: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error where !isArgumentParserError(error) {
            exit(tool: tool, error)
        }
    }

    /// Runs a library check inside a command's `validate()`: an error it throws becomes a
    /// `ValidationError` with the same message, so it is shown with the usage (exit status 64)
    /// as the command's own argument checks are.
    public static func asUsageError(_ check: () throws -> Void) throws {
        do {
            try check()
        } catch let error where !isArgumentParserError(error) {
            throw ValidationError(SettingsFlags.message(for: error))
        }
    }

    /// Writes `<tool>: <message>` as one line on stderr (notes, warnings, errors).
    public static func note(tool: String, _ message: String) {
        StandardOutput.write("\(tool): \(message)\n", to: STDERR_FILENO)
    }
}
