import ArgumentParser

/// An LMKit command-line tool: a root command whose `main()` parses as ArgumentParser does and
/// reports errors the one way of ``ToolFailure`` (a library error from `run()` is one line
/// `<tool>: <message>` on stderr with exit status 1). Subcommands need nothing.
public protocol LMTool: ParsableCommand {}

extension LMTool {
    /// The tool's name in messages: the configuration's command name.
    public static var toolName: String { configuration.commandName ?? String(describing: self) }

    /// Parses the command line, runs the chosen command and reports its errors.
    public static func main() {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(withError: error)
        }
        do {
            try command.run()
        } catch let error where !ToolFailure.isArgumentParserError(error) {
            ToolFailure.exit(tool: toolName, error)
        } catch {
            exit(withError: error)
        }
    }

    /// Writes `<tool>: <message>` as one line on stderr.
    public static func note(_ message: String) {
        ToolFailure.note(tool: toolName, message)
    }
}
