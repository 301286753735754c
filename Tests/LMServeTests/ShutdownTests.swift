import Foundation
import LMTestSupport
import Testing

/// The built `lm-serve` under SIGTERM: it stops taking connections, finishes the streams in
/// flight and exits 0.
@Suite struct ShutdownTests {
    static let binary = BuiltProducts.path("lm-serve")

    /// Starts lm-serve on a free port; returns the process and the port it printed.
    static func start(_ arguments: [String]) throws -> (Process, Int, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments + ["--port", "0"]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("\n") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        let line = String(decoding: seen, as: UTF8.self)
        let port = line.split(separator: ":").last.flatMap { Int($0.filter(\.isNumber)) } ?? 0
        return (process, port, errors)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary)))
    func sigtermDrainsTheStreamsInFlightThenExitsZero() async throws {
        let (process, port, _) = try Self.start(["--model", Fixture.run])
        #expect(port > 0)
        let client = try HTTPClient(port: port)
        client.send("POST", "/v1/completions", body: Data(#"{"prompt": "time", "max_tokens": 300, "temperature": 0, "stream": true}"#.utf8))
        #expect(await client.events(2).count >= 2)
        kill(process.processIdentifier, SIGTERM)
        let reply = await client.all()
        #expect(reply.events.last == "[DONE]")
        let texts = reply.events.dropLast().compactMap {
            ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]).flatMap { ($0["choices"] as? [[String: Any]])?.first?["text"] as? String }
        }
        #expect(texts.joined().count == 300)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(throws: HTTPClient.Failure.self) { try HTTPClient(port: port) }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: binary)))
    func badSettingsAndRunsAreOneLineErrors() throws {
        for (arguments, expected) in [(["--model", "/nonexistent/run"], "/nonexistent/run"), (["--model", Fixture.run, "--rows", "0"], "--rows")] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Self.binary)
            process.arguments = arguments
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            process.waitUntilExit()
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus != 0 && text.contains(expected), "\(arguments): \(text)")
        }
    }
}
