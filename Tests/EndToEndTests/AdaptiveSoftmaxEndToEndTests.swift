import Foundation
import Testing

/// `lm-train --adaptive-softmax` run as a user would: the settings land in config.json,
/// `lm-eval --logits` writes log-probabilities, `lm-generate` continues a prefix, the PyTorch
/// export refuses the model, and bad cutoffs are refused with their reason.
@Suite struct AdaptiveSoftmaxEndToEndTests {
    let train = Tool(name: "lm-train")
    let small = ["--level", "word", "--model", "lstm", "--embedding", "8", "--batch", "4", "--steps", "6", "--hidden", "16",
                 "--max-tokens", "0", "--epochs", "2"]

    func workDirectory() -> String {
        Tool.tinyCorpusDirectory(lines: 40, lineEnd: "\n")
    }

    @Test func trainEvaluateGenerateAndRefuseExport() throws {
        let work = workDirectory()
        let trained = try train.run(["tiny.txt", "--out", "runs/a", "--adaptive-softmax", "2,4", "--adaptive-div", "2"] + small, in: work)
        #expect(trained.status == 0, "\(trained.stderr)")
        let config = try String(contentsOfFile: work + "/runs/a/config.json", encoding: .utf8)
        #expect(config.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\n", with: "")
            .contains(#""adaptiveSoftmax":{"cutoffs":[2,4],"divValue":2}"#), "\(config)")
        let eval = try Tool(name: "lm-eval").run(["--model", "runs/a", "--batch", "1", "--logits", "logits.safetensors", "tiny.txt"], in: work)
        #expect(eval.status == 0, "\(eval.stderr)")
        let logits = FileManager.default.contents(atPath: work + "/logits.safetensors") ?? Data()
        #expect(String(decoding: logits.prefix(400), as: UTF8.self).contains(#""values":"log_probabilities""#))
        let generate = try Tool(name: "lm-generate").run(["--model", "runs/a", "--prefix", "the time", "--length", "5"], in: work)
        #expect(generate.status == 0, "\(generate.stderr)")
        #expect(generate.stdout.hasPrefix("the time "), "\(generate.stdout)")
        let export = try Tool(name: "lm-convert").run(["export", "--format", "pytorch", "runs/a", "out.safetensors"], in: work)
        #expect(export.status != 0 && export.stderr.contains("adaptive softmax head"), "\(export.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work + "/out.safetensors"))
    }

    @Test func badCutoffsAreRefusedWithTheirReason() throws {
        let work = workDirectory()
        for (flags, message) in [(["--adaptive-softmax", "4,2"], "must increase strictly and lie in 1..<9"),
                                 (["--adaptive-softmax", "2,x"], "--adaptive-softmax takes increasing positive cutoffs"),
                                 (["--adaptive-softmax", "2,9"], "must increase strictly and lie in 1..<9"),
                                 (["--adaptive-div", "2"], "--adaptive-div needs --adaptive-softmax"),
                                 (["--adaptive-softmax", "2,4", "--tied", "--embedding", "16"], "--tied")] {
            let run = try train.run(["tiny.txt", "--out", "runs/bad"] + small + flags, in: work)
            #expect(run.status != 0 && run.stderr.contains(message), "\(flags): \(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: work + "/runs/bad/config.json"), "\(flags)")
        }
    }
}
