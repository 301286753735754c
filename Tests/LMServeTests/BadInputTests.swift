import Foundation
@testable import LMServe
import Testing

/// Every class of bad request gets a 4xx with an OpenAI-style JSON error naming the field, and
/// the server goes on serving the next request.
@Suite(.serialized) struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        let body: String
        let status: Int
        let param: String?
        var path = "/v1/completions"
        var description: String { "\(path) \(body.prefix(60))" }
    }

    static let cases: [Case] = [
        Case(body: "{not json", status: 400, param: nil),
        Case(body: "", status: 400, param: nil),
        Case(body: "[1, 2]", status: 400, param: nil),
        Case(body: #"{"max_tokens": 5}"#, status: 400, param: "prompt"),
        Case(body: #"{"prompt": 7}"#, status: 400, param: "prompt"),
        Case(body: #"{"prompt": ["a", "b"]}"#, status: 400, param: "prompt"),
        Case(body: #"{"prompt": "time", "max_tokens": "ten"}"#, status: 400, param: "max_tokens"),
        Case(body: #"{"prompt": "time", "max_tokens": 0}"#, status: 400, param: "max_tokens"),
        Case(body: #"{"prompt": "time", "max_tokens": 100000}"#, status: 400, param: "max_tokens"),
        Case(body: #"{"prompt": "time", "temperature": -1}"#, status: 400, param: "temperature"),
        Case(body: #"{"prompt": "time", "temperature": "hot"}"#, status: 400, param: "temperature"),
        Case(body: #"{"prompt": "time", "top_p": 1.5}"#, status: 400, param: "top_p"),
        Case(body: #"{"prompt": "time", "top_k": 0}"#, status: 400, param: "top_k"),
        Case(body: #"{"prompt": "time", "strategy": "sideways"}"#, status: 400, param: "strategy"),
        Case(body: #"{"prompt": "time", "strategy": "top-k"}"#, status: 400, param: "strategy"),
        Case(body: #"{"prompt": "time", "n": 0}"#, status: 400, param: "n"),
        Case(body: #"{"prompt": "time", "n": 1000}"#, status: 400, param: "n"),
        Case(body: #"{"prompt": "time", "logprobs": 9}"#, status: 400, param: "logprobs"),
        Case(body: #"{"prompt": "time", "seed": -3}"#, status: 400, param: "seed"),
        Case(body: #"{"prompt": "time", "stream": "yes"}"#, status: 400, param: "stream"),
        Case(body: #"{"prompt": "time", "continue_line": 1}"#, status: 400, param: "continue_line"),
        Case(body: #"{"prompt": "time", "stop": ["a", "b", "c", "d", "e"]}"#, status: 400, param: "stop"),
        Case(body: #"{"prompt": "1234 !!"}"#, status: 400, param: "prompt"),   // empty after the d2l preset
        Case(body: #"{"model": "nope", "prompt": "time"}"#, status: 404, param: "model"),
        Case(body: #"{"prompt": "\#(String(repeating: "time ", count: 300))"}"#, status: 400, param: "prompt"),
        Case(body: #"{"text": 3}"#, status: 400, param: "text", path: "/v1/score"),
        Case(body: #"{"text": "a"}"#, status: 400, param: "text", path: "/v1/score"),
        Case(body: #"{"model": "nope", "text": "the time"}"#, status: 404, param: "model", path: "/v1/score"),
    ]

    @Test func everyClassIsA4xxNamingTheFieldAndTheServerGoesOn() async throws {
        try await withServer(limits: .init(maxTokens: 512, maxPromptTokens: 1000)) { _, port in
            for c in Self.cases {
                let reply = try await post(port, c.body, path: c.path)
                #expect(reply.status == c.status, "\(c)")
                #expect(reply.headers["content-type"] == "application/json", "\(c)")
                #expect(reply.error["message"] is String, "\(c): \(reply.text)")
                #expect(reply.error["param"] as? String == c.param, "\(c): \(reply.text)")
                // The server still serves.
                #expect(try await HTTPClient.request(port: port, "GET", "/health").status == 200)
            }
        }
    }

    @Test func oversizedBodiesUnknownRoutesAndMethods() async throws {
        try await withServer(limits: .init(maxBodyBytes: 1000)) { _, port in
            let big = try await post(port, #"{"prompt": "\#(String(repeating: "a", count: 5000))"}"#)
            #expect(big.status == 413 && big.error["code"] as? String == "body_too_large")
            let missing = try await HTTPClient.request(port: port, "GET", "/v2/nothing")
            #expect(missing.status == 404 && missing.error["message"] is String)
            let method = try await HTTPClient.request(port: port, "GET", "/v1/completions")
            #expect((400..<500).contains(method.status) && method.error["message"] is String)
            #expect(try await post(port, #"{"prompt": "time", "max_tokens": 3}"#).status == 200)
        }
    }

    @Test func overloadIs429WithRetryAfter() async throws {
        try await withServer(limits: .init(rows: 1, queue: 0)) { server, port in
            let holder = try HTTPClient(port: port)
            holder.send("POST", "/v1/completions", body: Data(#"{"prompt": "time", "max_tokens": 2000, "stream": true}"#.utf8))
            _ = await holder.events(2)   // it holds the only row
            let refused = try await post(port, #"{"prompt": "time", "max_tokens": 3}"#)
            #expect(refused.status == 429 && refused.headers["retry-after"] == "1")
            #expect(refused.error["type"] as? String == "rate_limit_error")
            holder.disconnect()
            // The row is freed once the server notices, then requests are served again.
            let worker = server.workers[0]
            for _ in 0..<200 where worker.load > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(worker.load == 0)
            #expect(try await post(port, #"{"prompt": "time", "max_tokens": 3}"#).status == 200)
        }
    }

    @Test func aClientThatHangsUpFreesItsRow() async throws {
        try await withServer(limits: .init(rows: 4)) { server, port in
            let client = try HTTPClient(port: port)
            client.send("POST", "/v1/completions", body: Data(#"{"prompt": "time", "max_tokens": 2000, "stream": true}"#.utf8))
            #expect(await client.events(3).count >= 3)
            let worker = server.workers[0]
            #expect(worker.load == 1)
            client.disconnect()
            for _ in 0..<200 where worker.load > 0 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(worker.load == 0)
        }
    }

    @Test func stopSequencesHoldBackWhatMightStartOne() {
        var stops = StopSequences(["abc", "xy"])
        #expect(stops.feed("hello a") == ("hello ", false))
        #expect(stops.feed("b") == ("", false))
        #expect(stops.feed("d x") == ("abd ", false))
        #expect(stops.feed("yz") == ("", true))
        var none = StopSequences([])
        #expect(none.feed("abc") == ("abc", false))
        var tail = StopSequences(["end"])
        #expect(tail.feed("the en") == ("the ", false))
        #expect(tail.flush() == "en")
    }
}

/// The stream's hand-written token events are the bytes `JSONEncoder` writes.
@Suite struct ServerSentEventTests {
    @Test(arguments: ["plain", "quote \" and \\ back", "line\nfeed\r\ttab", "\u{01}\u{1F}\u{08}\u{0C}", "ünïcödé 日本 😀 \u{2028}", "", "a/b"])
    func tokenEventsAreTheEncodersBytes(text: String) throws {
        for finish in [nil, "length"] as [String?] {
            let response = CompletionResponse(id: "cmpl-1", created: 7, model: "tiny \"m\"", choices: [.init(index: 2, text: text, logprobs: nil, finishReason: finish)], usage: nil)
            let encoded = "data: " + String(decoding: try JSON.encoder.encode(response), as: UTF8.self) + "\n\n"
            #expect(response.serverSentEventText == encoded)
        }
    }
}
