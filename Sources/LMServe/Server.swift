import Foundation
import Hummingbird
import LMKit
import Logging
import UnixSignals

/// `lm-serve`: runs loaded once, served over HTTP with OpenAI's completions API
/// (``Routes``), each model's requests batched into one generation step by its
/// ``ModelWorker``.
///
/// ```swift
/// let server = try Server(ServerSettings(models: ["runs/latest"]))
/// try await server.run()   // until SIGTERM or SIGINT, which drain the requests in flight
/// ```
public final class Server: Sendable {
    public let settings: ServerSettings
    /// The served models' workers, by name, in the order given.
    let workers: [ModelWorker]
    /// When the server started, in seconds since 1970 (the models' `created`).
    let started: Int

    /// Validates `settings` and loads every run.
    /// - Throws: ``ServeError`` naming the setting, or the run directory's error naming its file.
    public init(_ settings: ServerSettings) throws {
        try settings.validate()
        self.settings = settings
        workers = try settings.models.map { path in
            let model: LanguageModel
            do {
                model = try LanguageModel(contentsOf: path)
            } catch {
                throw ServeError.model(path: path, String(describing: error))
            }
            return ModelWorker(name: ServerSettings.modelName(of: path), model: model, limits: settings.limits)
        }
        started = Int(Date().timeIntervalSince1970)
    }

    /// The served models' names.
    public var modelNames: [String] { workers.map(\.name) }

    /// The worker serving `name`; with one model, a request may leave `model` out.
    func worker(named name: String?) throws -> ModelWorker {
        guard let name else {
            guard workers.count == 1 else {
                throw APIError.invalid("model", "is required: this server serves " + workers.map(\.name).joined(separator: ", "))
            }
            return workers[0]
        }
        guard let worker = workers.first(where: { $0.name == name }) else {
            throw APIError(.notFound, "the model \(name.debugDescription) does not exist; this server serves "
                + workers.map(\.name).joined(separator: ", "), param: "model", code: "model_not_found")
        }
        return worker
    }

    /// Serves until SIGTERM or SIGINT (or the task is cancelled); a signal stops new
    /// connections and waits for the requests in flight, then the workers stop.
    /// - Parameters:
    ///   - signals: the signals that shut down gracefully (none in tests, which cancel).
    ///   - onListening: called with the bound port once the server accepts connections.
    public func run(gracefulShutdownSignals signals: [UnixSignal] = [.sigterm, .sigint],
                    onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        for worker in workers { worker.start() }
        defer { for worker in workers { worker.stop() } }
        var logger = Logger(label: "lm-serve")
        logger.logLevel = .warning
        let app = Application(
            router: Routes.router(for: self),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "lm-serve"),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
        try await app.runService(gracefulShutdownSignals: signals)
    }
}
