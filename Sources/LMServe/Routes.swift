import Foundation
import Hummingbird
import LMGeneration
import LMKit
import NIOCore

/// The HTTP API:
///
/// | route | what |
/// |---|---|
/// | `POST /v1/completions` | OpenAI's completions, whole or streamed as server-sent events (``Completions``) |
/// | `POST /v1/score` | per-token ln p and perplexity of a text (`lm-eval` for one text) |
/// | `GET /v1/models` | the served models |
/// | `GET /health` | `{"status": "ok"}` |
/// | `GET /` | the web page (``WebPage``) |
///
/// Every error is a JSON body `{"error": {…}}` (``APIError``); unknown routes are 404s.
enum Routes {
    static func router(for server: Server) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorBodies())
        let completions = Completions(server: server)
        router.post("/v1/completions") { request, _ in try await completions.respond(to: request) }
        router.post("/v1/score") { request, _ in try await score(request, server) }
        router.get("/v1/models") { _, _ in json(ModelList(server)) }
        router.get("/health") { _, _ in json(["status": "ok"]) }
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: WebPage.html)))
        }
        return router
    }

    /// A request body of at most the server's limit.
    static func body(of request: Request, limit: Int) async throws -> Data {
        var request = request
        do {
            return Data(buffer: try await request.collectBody(upTo: limit))
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "the body is larger than the server's limit of \(limit) bytes", code: "body_too_large")
        }
    }

    // MARK: - Scoring

    struct ScoreRequest: Decodable {
        let model: String?
        let text: String
    }

    struct ScoreResponse: Encodable {
        let object = "score"
        let model: String
        let tokens: [String]
        /// null for the first token (nothing predicts it), as OpenAI's echo logprobs.
        let tokenLogprobs: [Double?]
        let perplexity: Double

        enum CodingKeys: String, CodingKey { case object, model, tokens, tokenLogprobs = "token_logprobs", perplexity }
    }

    static func score(_ request: Request, _ server: Server) async throws -> Response {
        let asked = try decodeBody(ScoreRequest.self, try await body(of: request, limit: server.settings.limits.maxBodyBytes))
        let worker = try server.worker(named: asked.model)
        let prefix = try worker.read(asked.text, field: "text", limit: server.settings.limits.maxPromptTokens)
        let score: Score
        do {
            score = try await worker.perform { model in try model.score(prefix) }
        } catch let error as LanguageModelError {
            throw APIError.invalid("text", "\(error)")
        }
        return json(ScoreResponse(model: worker.name, tokens: score.tokens, tokenLogprobs: [nil] + score.logProbabilities,
                                  perplexity: score.perplexity))
    }

    // MARK: - Models

    struct ModelList: Encodable {
        struct Model: Encodable {
            let id: String
            let object = "model"
            let created: Int
            let ownedBy = "lmkit"
            enum CodingKeys: String, CodingKey { case id, object, created, ownedBy = "owned_by" }
        }
        let object = "list"
        let data: [Model]

        init(_ server: Server) {
            data = server.workers.map { Model(id: $0.name, created: server.started) }
        }
    }

    /// `value` as a JSON response.
    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSON.encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// Turns Hummingbird's own errors (unknown route, wrong method) into OpenAI-style bodies.
struct ErrorBodies: RouterMiddleware {
    typealias Context = BasicRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            let message = error.status == .notFound ? "no route \(request.method) \(request.uri.path)"
                : error.body ?? "\(error.status.code) \(error.status.reasonPhrase)"
            throw APIError(error.status, message, type: error.status == .notFound ? "not_found_error" : "invalid_request_error")
        } catch {
            throw APIError(.internalServerError, String(describing: error), type: "server_error")
        }
    }
}
