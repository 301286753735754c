import Foundation
import LMTestSupport
import LMGeneration
import LMKit
@testable import LMServe
import Testing

/// A tiny trained run, made once for the suites that serve it.
enum Fixture {
    static let run: String = {
        let folder = URL(fileURLWithPath: TemporaryFolders.make("lmserve"))
        let corpus = folder.appendingPathComponent("corpus.txt")
        let line = "the time traveller for so it will be convenient to speak of him was expounding a recondite matter to us\n"
        try! String(repeating: line, count: 40).write(to: corpus, atomically: true, encoding: .utf8)
        var settings = TrainingSettings(corpus: corpus.path)
        settings.model.kind = .lstm
        settings.model.hiddenSize = 16
        settings.run.epochs = 2
        settings.run.output = folder.appendingPathComponent("tiny").path
        return try! LanguageModel.train(settings).path
    }()

    nonisolated(unsafe) static let model = try! LanguageModel(contentsOf: run)
}

/// An in-process server on a free port for the length of `body`.
func withServer<T>(limits: ServerSettings.Limits = .init(), _ body: (Server, Int) async throws -> T) async throws -> T {
    let server = try Server(ServerSettings(models: [Fixture.run], port: 0, limits: limits))
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let task = Task { try await server.run(gracefulShutdownSignals: []) { continuation.yield($0) } }
    defer { task.cancel() }
    var iterator = ports.makeAsyncIterator()
    let port = try #require(await iterator.next())
    return try await body(server, port)
}

func post(_ port: Int, _ json: String, path: String = "/v1/completions") async throws -> HTTPClient.Reply {
    try await HTTPClient.request(port: port, "POST", path, json: json)
}

@Suite(.serialized) struct ServerTests {
    @Test func greedyCompletionIsLmGeneratesText() async throws {
        let expected = try Fixture.model.generate(prefix: "time traveller", length: 40, sampling: .greedy)
        try await withServer { _, port in
            let reply = try await post(port, #"{"model": "tiny", "prompt": "time traveller", "max_tokens": 40, "temperature": 0}"#)
            #expect(reply.status == 200)
            let choice = try #require((reply.json["choices"] as? [[String: Any]])?.first)
            #expect(choice["text"] as? String == expected)
            #expect(choice["finish_reason"] as? String == "length")
            #expect(reply.json["object"] as? String == "text_completion")
            let usage = try #require(reply.json["usage"] as? [String: Int])
            #expect(usage["completion_tokens"] == 40 && usage["prompt_tokens"] == 14 && usage["total_tokens"] == 54)
        }
    }

    @Test func streamsTheSameTextTokenByToken() async throws {
        let expected = try Fixture.model.generate(prefix: "the matter", length: 30, sampling: .topK(5, temperature: 0.9), seed: 4)
        try await withServer { _, port in
            let reply = try await post(port, #"{"prompt": "the matter", "max_tokens": 30, "strategy": "top-k", "top_k": 5, "temperature": 0.9, "seed": 4, "stream": true}"#)
            #expect(reply.status == 200 && reply.headers["content-type"] == "text/event-stream")
            let events = reply.events
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
            #expect(choices.count == 31)   // 30 tokens, then the finish
            #expect(choices.compactMap { $0["text"] as? String }.joined() == expected)
            #expect(choices.last?["finish_reason"] as? String == "length")
        }
    }

    @Test func choicesDrawWithSuccessiveSeeds() async throws {
        let first = try Fixture.model.generate(prefix: "a", length: 20, sampling: .temperature(1), seed: 10)
        let second = try Fixture.model.generate(prefix: "a", length: 20, sampling: .temperature(1), seed: 11)
        try await withServer { _, port in
            let reply = try await post(port, #"{"prompt": "a", "max_tokens": 20, "seed": 10, "n": 2}"#)
            let texts = (reply.json["choices"] as? [[String: Any]] ?? []).map { $0["text"] as? String }
            #expect(texts == [first, second])
        }
    }

    @Test func beamSearchIsLmGeneratesBeam() async throws {
        let expected = try Fixture.model.generate(prefix: "time", length: 12, sampling: .beam(width: 3))
        try await withServer { _, port in
            let reply = try await post(port, #"{"prompt": "time", "max_tokens": 12, "beams": 3, "stream": true}"#)
            let texts = reply.events.dropLast().compactMap {
                ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]).flatMap { ($0["choices"] as? [[String: Any]])?.first?["text"] as? String }
            }
            #expect(texts.joined() == expected && reply.events.last == "[DONE]")
            let two = try await post(port, #"{"prompt": "time", "max_tokens": 12, "strategy": "beam", "beams": 3, "n": 2}"#)
            #expect((two.json["choices"] as? [[String: Any]])?.first?["text"] as? String == expected)
            #expect((two.json["choices"] as? [[String: Any]])?.count == 2)
            #expect(try await post(port, #"{"prompt": "time", "beams": 3, "n": 4}"#).status == 400)
            #expect(try await post(port, #"{"prompt": "time", "beams": 0}"#).error["param"] as? String == "beams")
        }
    }

    @Test func stopSequencesEndAChoice() async throws {
        let full = try Fixture.model.generate(prefix: "time", length: 40, sampling: .greedy)
        let stop = String(full.dropFirst(6).prefix(3))
        let cut = String(full[..<full.range(of: stop)!.lowerBound])
        try await withServer { _, port in
            let reply = try await post(port, #"{"prompt": "time", "max_tokens": 40, "temperature": 0, "stop": [\#(String(describing: stop).debugDescription)]}"#)
            let choice = try #require((reply.json["choices"] as? [[String: Any]])?.first)
            #expect(choice["text"] as? String == cut && choice["finish_reason"] as? String == "stop")
        }
    }

    @Test func logprobsAreTheModels() async throws {
        try await withServer { _, port in
            let reply = try await post(port, #"{"prompt": "time", "max_tokens": 5, "temperature": 0, "logprobs": 2}"#)
            let choice = try #require((reply.json["choices"] as? [[String: Any]])?.first)
            let logprobs = try #require(choice["logprobs"] as? [String: Any])
            let values = try #require(logprobs["token_logprobs"] as? [Double])
            let tokens = try #require(logprobs["tokens"] as? [String])
            #expect(values.count == 5 && tokens.joined() == choice["text"] as? String)
            #expect(values.allSatisfy { $0 <= 0 } && (logprobs["top_logprobs"] as? [[String: Double]])?.allSatisfy { $0.count == 2 } == true)
        }
    }

    @Test func scoresATextAsTheLibraryDoes() async throws {
        let text = "the time traveller was expounding"
        let expected = try Fixture.model.score(text)
        try await withServer { _, port in
            let reply = try await post(port, #"{"text": "\#(text)"}"#, path: "/v1/score")
            #expect(reply.status == 200)
            #expect(reply.json["perplexity"] as? Double == expected.perplexity)
            let values = try #require(reply.json["token_logprobs"] as? [Any])
            #expect(values.count == expected.tokens.count && values.first is NSNull)
        }
    }

    @Test func listsModelsAndAnswersHealthAndThePage() async throws {
        try await withServer { _, port in
            let models = try await HTTPClient.request(port: port, "GET", "/v1/models")
            #expect((models.json["data"] as? [[String: Any]])?.map { $0["id"] as? String } == ["tiny"])
            #expect(try await HTTPClient.request(port: port, "GET", "/health").json["status"] as? String == "ok")
            let page = try await HTTPClient.request(port: port, "GET", "/")
            #expect(page.status == 200 && page.text.contains("/v1/completions") && page.headers["content-type"]?.hasPrefix("text/html") == true)
        }
    }
}
