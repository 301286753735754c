import Foundation
import Hummingbird
import LMGeneration

/// `POST /v1/completions`: a request read and checked against the limits, its choices queued
/// on the model's worker, and their tokens returned whole or streamed as server-sent events
/// (`data: {…}` per token, `data: [DONE]` at the end).
struct Completions: Sendable {
    let server: Server

    func respond(to request: Request) async throws -> Response {
        let limits = server.settings.limits
        let asked = try CompletionRequest.decode(try await Routes.body(of: request, limit: limits.maxBodyBytes))
        let worker = try server.worker(named: asked.model)
        let job = try makeJob(asked, worker: worker, limits: limits)
        let events = try worker.submit(job)
        let reply = Reply(id: "cmpl-\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))",
                          created: Int(Date().timeIntervalSince1970), model: worker.name, choices: job.choices,
                          stops: asked.stop, echo: asked.echo == true ? asked.prompt : nil, logprobs: job.alternatives != nil,
                          promptTokens: job.prefix.ids.count)
        guard asked.stream == true else {
            defer { events.cancel() }
            var all = reply
            while let batch = await events.next() {
                for event in batch { try all.take(event) }
            }
            return Routes.json(all.whole())
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                        body: ResponseBody { writer in
            // A write that fails (the client hung up) cancels the queue, which frees the rows.
            defer { events.cancel() }
            var stream = reply
            while let batch = await events.next() {
                var text = ""
                do {
                    for event in batch {
                        for chunk in try stream.take(event) { text += chunk.serverSentEventText }
                    }
                } catch let error as APIError {
                    try await writer.write(ByteBuffer(string: text + "data: " + String(decoding: error.body, as: UTF8.self) + "\n\n"))
                    break
                }
                if !text.isEmpty { try await writer.write(ByteBuffer(string: text)) }
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
        })
    }

    /// The worker's job for a request, every field checked against the limits.
    func makeJob(_ asked: CompletionRequest, worker: ModelWorker, limits: ServerSettings.Limits) throws -> ModelWorker.Job {
        let length = asked.maxTokens ?? 16
        guard (1...limits.maxTokens).contains(length) else {
            throw APIError.invalid("max_tokens", "must be in 1...\(limits.maxTokens) (got \(length))")
        }
        let choices = asked.n ?? 1
        // n choices run as n rows of the batch, or as the n best of beam search's beams.
        let sampling = try asked.sampling()
        let most = min(limits.maxChoices, sampling.beamSearch?.beams ?? limits.rows)
        guard choices >= 1 && choices <= most else {
            throw APIError.invalid("n", "must be in 1...\(most)\(sampling.beamSearch == nil ? "" : " (the beams)") (got \(choices))")
        }
        if let n = asked.logprobs, !(0...5).contains(n) {
            throw APIError.invalid("logprobs", "must be in 0...5 (got \(n))")
        }
        guard asked.stop.count <= 4 else { throw APIError.invalid("stop", "holds at most 4 sequences (got \(asked.stop.count))") }
        let prefix = try worker.read(asked.prompt, field: "prompt", limit: limits.maxPromptTokens,
                                     continuingLine: asked.continueLine == true)
        return ModelWorker.Job(prefix: prefix, length: length, sampling: sampling,
                               seed: asked.seed ?? UInt64.random(in: 0...UInt64(UInt32.max)),
                               choices: choices, alternatives: asked.logprobs)
    }

    /// A completion being put together from its events: the whole answer, or the stream's events.
    struct Reply {
        let id: String
        let created: Int
        let model: String
        var texts: [String]
        var finish: [String?]
        var stops: [StopSequences]
        /// Whether the choice's stream has sent the echoed prompt (true from the start without echo).
        var echoed: [Bool]
        var logprobs: [CompletionResponse.LogProbabilities]?
        let echo: String?
        let promptTokens: Int
        var completionTokens = 0

        init(id: String, created: Int, model: String, choices: Int, stops: [String], echo: String?, logprobs: Bool,
             promptTokens: Int) {
            self.id = id
            self.created = created
            self.model = model
            texts = Array(repeating: echo ?? "", count: choices)
            finish = Array(repeating: nil, count: choices)
            self.stops = Array(repeating: StopSequences(stops), count: choices)
            echoed = Array(repeating: echo == nil, count: choices)
            self.logprobs = logprobs ? Array(repeating: .init(), count: choices) : nil
            self.echo = echo
            self.promptTokens = promptTokens
        }

        /// Takes an event; returns the stream events it makes (none for a choice already stopped).
        @discardableResult
        mutating func take(_ event: ModelWorker.Event) throws -> [CompletionResponse] {
            switch event {
            case let .failed(error):
                throw error
            case let .token(choice, piece, logProbability, alternatives):
                guard finish[choice] == nil else { return [] }
                completionTokens += 1
                var step: CompletionResponse.LogProbabilities? = nil
                if logprobs != nil, let logProbability {
                    step = .init(tokens: [piece], tokenLogprobs: [logProbability],
                                 topLogprobs: [Dictionary(alternatives.map { ($0.token, $0.logProbability) }, uniquingKeysWith: max)],
                                 textOffset: [texts[choice].utf8.count])
                    logprobs?[choice].append(step!)
                }
                let (text, stopped) = stops[choice].feed(piece)
                texts[choice] += text
                var sent = text
                if !echoed[choice] {
                    echoed[choice] = true
                    sent = (echo ?? "") + text
                }
                var events: [CompletionResponse] = []
                if !sent.isEmpty || step != nil { events.append(chunk(choice, text: sent, logprobs: step, finish: nil)) }
                if stopped {
                    finish[choice] = "stop"
                    events.append(chunk(choice, text: "", logprobs: nil, finish: "stop"))
                }
                return events
            case let .finished(choice), let .stopped(choice):
                guard finish[choice] == nil else { return [] }
                let rest = stops[choice].flush()
                var reason = "length"
                if case .stopped = event { reason = "stop" }
                let sent = echoed[choice] ? rest : (echo ?? "") + rest
                echoed[choice] = true
                texts[choice] += rest
                finish[choice] = reason
                return [chunk(choice, text: sent, logprobs: nil, finish: reason)]
            }
        }

        private func chunk(_ choice: Int, text: String, logprobs: CompletionResponse.LogProbabilities?,
                           finish reason: String?) -> CompletionResponse {
            CompletionResponse(id: id, created: created, model: model,
                               choices: [.init(index: choice, text: text, logprobs: logprobs, finishReason: reason)], usage: nil)
        }

        /// The whole completion, once every event is in.
        func whole() -> CompletionResponse {
            CompletionResponse(id: id, created: created, model: model,
                               choices: texts.indices.map { .init(index: $0, text: texts[$0], logprobs: logprobs?[$0], finishReason: finish[$0] ?? "length") },
                               usage: .init(promptTokens: promptTokens, completionTokens: completionTokens))
        }
    }
}
