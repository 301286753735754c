import ArgumentParser
import Foundation

/// An LMKit command-line tool: a root command whose `main()` parses as ArgumentParser does and
/// reports errors the one way of ``ToolFailure`` (a library error from `run()` is one line
/// `<tool>: <message>` on stderr with exit status 1). Subcommands need nothing.
public protocol LMTool: ParsableCommand {
    /// The command line (without the program name) as the parser is to see it: as given by
    /// default; lm-train puts a `--recipe`'s options first (``Recipe/expand(_:environment:)``).
    static func expandArguments(_ arguments: [String]) throws -> [String]

    /// What the tool prints for a library error: by default its description with settings
    /// named by their flags (``SettingsFlags/message(for:)``).
    static func message(for error: any Error) -> String
}

extension LMTool {
    /// The tool's name in messages: the configuration's command name.
    public static var toolName: String { configuration.commandName ?? String(describing: self) }

    /// The command line as given.
    public static func expandArguments(_ arguments: [String]) throws -> [String] { arguments }

    /// The error's description, settings named by their flags.
    public static func message(for error: any Error) -> String { SettingsFlags.message(for: error) }

    /// Parses the command line, runs the chosen command and reports its errors.
    public static func main() {
        // A write to a pipe whose reader left fails with EPIPE instead of killing the process:
        // lm-train then checkpoints and stops (``Interrupts``), the others end as SIGPIPE would
        // (``StandardOutput/flush()``).
        signal(SIGPIPE, SIG_IGN)
        var command: any ParsableCommand
        let arguments: [String]
        do {
            arguments = try expandArguments(Array(CommandLine.arguments.dropFirst()))
        } catch {
            ToolFailure.exit(tool: toolName, message: message(for: error))
        }
        do {
            command = try parseAsRoot(arguments)
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let error where SettingsFlags.isUsageError(error) {
            exit(withError: ValidationError(message(for: error)))
        } catch let error where !ToolFailure.isArgumentParserError(error) {
            ToolFailure.exit(tool: toolName, message: message(for: error))
        } catch {
            exit(withError: error)
        }
    }

    /// Writes `<tool>: <message>` as one line on stderr.
    public static func note(_ message: String) {
        ToolFailure.note(tool: toolName, SettingsFlags.flagged(message))
    }
}
