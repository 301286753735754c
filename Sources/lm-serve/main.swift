import ArgumentParser
import LMModelFiles
import LMServe
import LMToolSupport

/// `lm-serve`: serves trained runs over HTTP (OpenAI-style completions, scoring, a web page).
@main
struct LMServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lm-serve",
        abstract: "Serve trained models over HTTP: OpenAI-style completions (streamed or whole), scoring and a web page.",
        discussion: """
        Each --model run is served under its directory's name. Concurrent requests to a model are batched into \
        one generation step. SIGTERM or SIGINT stops accepting connections, finishes the requests in flight and exits 0.
        """)

    @Option(name: .customLong("model"), help: "A run directory to serve (repeat for several). (default: runs/latest)")
    var models: [String] = []
    @Option(help: "The address to bind (loopback unless told otherwise).")
    var host = "127.0.0.1"
    @Option(help: "The TCP port (0: any free port).")
    var port = 8080
    @Option(name: .customLong("max-tokens"), help: "Largest max_tokens a request may ask.")
    var maxTokens = 2048
    @Option(name: .customLong("max-prompt-tokens"), help: "Largest prompt, in tokens.")
    var maxPromptTokens = 8192
    @Option(name: .customLong("max-body-bytes"), help: "Largest request body, in bytes.")
    var maxBodyBytes = 1 << 20
    @Option(help: "Sequences one model generates together (its batch rows).")
    var rows = 32
    @Option(help: "Sequences that may wait for a row, per model; beyond it requests get 429.")
    var queue = 256
    @Option(name: .customLong("max-choices"), help: "Largest n (choices per request).")
    var maxChoices = 8

    var settings: ServerSettings {
        ServerSettings(models: models.isEmpty ? [RunDirectory.latest] : models, host: host, port: port,
                       limits: .init(maxTokens: maxTokens, maxPromptTokens: maxPromptTokens, maxBodyBytes: maxBodyBytes,
                                     rows: rows, queue: queue, maxChoices: maxChoices))
    }

    func validate() throws { try ToolFailure.asUsageError { try settings.validate() } }

    func run() async throws {
        let server = try ToolFailure.reporting(tool: "lm-serve") { try Server(settings) }
        let host = host
        try await server.run { port in ToolFailure.note(tool: "lm-serve", "serving \(server.modelNames.joined(separator: ", ")) on http://\(host):\(port)/") }
    }
}
