import Foundation
import Testing

/// Issue 28: the cache pointer and dynamic evaluation from `lm-eval` and `lm-train`'s final
/// test, their bad values refused in one line naming the flag, and tinyshakespeare by name.
@Suite struct EvaluationGainsEndToEndTests {
    let train = Tool(name: "lm-train")
    let eval = Tool(name: "lm-eval")
    let small = ["--batch", "4", "--steps", "6", "--hidden", "8", "--epochs", "1", "--max-tokens", "0"]

    /// Expects exit `status` and, for 1, one line on stderr starting `<tool>: `; stderr holds `words`.
    func expectFailure(_ result: Tool.Result, _ tool: String, status: Int32 = 1, _ words: String,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "\(result.stderr)", sourceLocation: sourceLocation)
        if status == 1 {
            #expect(result.stderr.hasPrefix("\(tool): ") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)",
                    sourceLocation: sourceLocation)
        }
        #expect(result.stderr.contains(words), "\(words) not in \(result.stderr)", sourceLocation: sourceLocation)
    }

    @Test func theFinalTestAndLMEvalApplyTheGains() throws {
        let work = Tool.tinyCorpusDirectory(lines: 40)
        let trained = try train.run(["tiny.txt", "--test", "tiny.txt", "--out", "run", "--cache-pointer", "20,1.0,0.1",
                                     "--dynamic-eval", "0.01"] + small, in: work)
        #expect(trained.status == 0, "\(trained.stderr)")
        let lines = trained.stdout.split(separator: "\n").filter { $0.hasPrefix("test perplexity") }
        #expect(lines.count == 2, "\(trained.stdout)")
        #expect(lines.last?.hasSuffix("with cache pointer 20,1.0,0.1 (window, theta, lambda), dynamic evaluation 0.01,0.0 (lr, decay)") == true, "\(lines)")
        let config = String(decoding: FileManager.default.contents(atPath: work + "/run/config.json") ?? Data(), as: UTF8.self)
        #expect(config.contains("\"gains\""), "\(config)")

        let report = try eval.run(["tiny.txt", "--model", "run", "--cache-pointer", "20,1.0,0.1", "--dynamic-eval", "0.01,0.1", "--json"], in: work)
        #expect(report.status == 0, "\(report.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any]
        #expect((json?["cachePointer"] as? [String: Double]) == ["window": 20, "theta": 1, "lambda": 0.1], "\(report.stdout)")
        #expect((json?["dynamicEvaluation"] as? [String: Double]) == ["learningRate": 0.01, "decay": 0.1], "\(report.stdout)")
        let text = try eval.run(["tiny.txt", "--model", "run", "--dynamic-eval", "0.01"], in: work)
        #expect(text.status == 0 && text.stdout.contains("with:          dynamic evaluation 0.01,0.0 (lr, decay)"), "\(text.stdout)\(text.stderr)")

        expectFailure(try eval.run(["tiny.txt", "--model", "run", "--dynamic-eval", "0"], in: work), "lm-eval",
                      "--dynamic-eval 0.0,0.0: the learning rate must be positive and finite (got 0.0)")
        expectFailure(try eval.run(["tiny.txt", "--model", "run", "--cache-pointer", "20,1,1"], in: work), "lm-eval",
                      "--cache-pointer 20,1.0,1.0: lambda must be in [0, 1) (got 1.0)")
        expectFailure(try eval.run(["tiny.txt", "--model", "run", "--cache-pointer", "20,1"], in: work), "lm-eval", status: 64,
                      "--cache-pointer takes WINDOW,THETA,LAMBDA")
        expectFailure(try eval.run(["tiny.txt", "--model", "run", "--cache-pointer", "20,1,0.1", "--batch", "10"], in: work), "lm-eval",
                      status: 64, "use --batch 1")
        expectFailure(try train.run(["tiny.txt", "--out", "bad", "--cache-pointer", "0,1,0.1"] + small, in: work), "lm-train",
                      "--cache-pointer 0,1.0,0.1: the window must be at least 1 position (got 0)")
        #expect(!FileManager.default.fileExists(atPath: work + "/bad"))
    }

    /// `lm-train tinyshakespeare` copies the corpus from the mirror (checked against its
    /// SHA-1), reads it as raw characters and holds out its last 10% for validation.
    @Test func tinyshakespeareTrainsByName() throws {
        let work = Tool.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: work + "/corpora", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Tool.repository + "/corpora/registry.json", toPath: work + "/corpora/registry.json")
        let environment = ["LM_CORPUS_REGISTRY": work + "/corpora/registry.json", "LM_CORPUS_MIRROR": Tool.mirror]
        let result = try train.run(["tinyshakespeare", "--out", "run", "--batch", "4", "--steps", "6", "--hidden", "8", "--epochs", "1",
                                    "--max-tokens", "3000"], in: work, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("corpus tinyshakespeare: 2700 training tokens, 300 validation"), "\(result.stdout)")
        #expect(FileManager.default.fileExists(atPath: work + "/corpora/tinyshakespeare.txt"))
        let config = String(decoding: FileManager.default.contents(atPath: work + "/run/config.json") ?? Data(), as: UTF8.self)
        #expect(config.contains("\"validationFraction\":0.1") || config.contains("\"validationFraction\" : 0.1"), "\(config)")
    }
}
