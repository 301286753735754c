import Foundation
import Testing

/// `lm-convert` run as a user would: LMKit runs (trained by lm-train on a tiny corpus) exported
/// to PyTorch state_dicts and imported back with identical weights and lm-eval output, every
/// refused state_dict refused in one line with nothing written, and tokenizer.json both ways.
@Suite struct LMConvertEndToEndTests {
    let convert = Tool(name: "lm-convert")
    let train = Tool(name: "lm-train")
    let eval = Tool(name: "lm-eval")

    /// A directory holding `tiny.txt`, a few thousand characters of English-like text.
    func workDirectory() -> String {
        Tool.tinyCorpusDirectory(lines: 40)
    }

    /// Trains `runs/<name>` on tiny.txt for two epochs with `flags`.
    func trainRun(_ name: String, in work: String, _ flags: [String]) throws {
        let result = try train.run(["tiny.txt", "--epochs", "2", "--batch", "4", "--steps", "6", "--max-tokens", "0",
                                    "--threads", "1", "--out", "runs/" + name] + flags, in: work)
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Exports `runs/<name>` to `<name>.safetensors` and returns its tensors.
    func export(_ name: String, in work: String) throws -> [String: StateTensor] {
        let result = try convert.run(["export", "--format", "pytorch", "runs/" + name, name + ".safetensors"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        return try StateTensor.read(work + "/" + name + ".safetensors")
    }

    /// lm-eval's report on tiny.txt without its first line (which names the run directory).
    func evaluation(_ run: String, in work: String) throws -> String {
        let result = try eval.run(["--model", run, "tiny.txt"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").dropFirst().joined(separator: "\n")
    }

    /// Runs an `lm-convert` that must fail: status 1, one line `lm-convert: …` containing
    /// `expected`, and `output` (relative to `work`) not created.
    func expectFailure(_ arguments: [String], in work: String, output: String, _ expected: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try convert.run(arguments, in: work)
        #expect(result.status == 1, "status \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("lm-convert: ") && result.stderr.hasSuffix("\n"), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.filter { $0 == "\n" }.count == 1, "not one line: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(expected), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: work + "/" + output), "\(output) was written", sourceLocation: sourceLocation)
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: work))?.filter { $0.contains(".tmp-") } ?? []
        #expect(leftovers.isEmpty, "temporaries left: \(leftovers)", sourceLocation: sourceLocation)
    }

    // MARK: - Round trips

    /// LMKit → PyTorch → LMKit for a run: the same tensors, byte for byte, the same config.json
    /// (given back with --config), and the same lm-eval report.
    func roundTrip(_ flags: [String], expectedNames: [String]) throws {
        let work = workDirectory()
        try trainRun("a", in: work, flags)
        let exported = try export("a", in: work)
        #expect(exported.keys.sorted() == expectedNames.sorted())
        let imported = try convert.run(["import", "--format", "pytorch", "a.safetensors", "--vocab", "runs/a/vocab.json",
                                        "--config", "runs/a/config.json", "runs/b"], in: work)
        #expect(imported.status == 0, "\(imported.stderr)")
        let original = try StateTensor.read(work + "/runs/a/model.safetensors")
        let back = try StateTensor.read(work + "/runs/b/model.safetensors")
        #expect(original.keys.sorted() == back.keys.sorted())
        for (name, tensor) in original {
            #expect(back[name]?.shape == tensor.shape && back[name]?.bytes == tensor.bytes, "\(name) differs")
        }
        #expect(FileManager.default.contents(atPath: work + "/runs/a/config.json") == FileManager.default.contents(atPath: work + "/runs/b/config.json"))
        #expect(FileManager.default.contents(atPath: work + "/runs/a/vocab.json") == FileManager.default.contents(atPath: work + "/runs/b/vocab.json"))
        #expect(try evaluation("runs/a", in: work) == evaluation("runs/b", in: work))
        // Without --config everything the weights need is inferred: the same tensors again.
        let inferred = try convert.run(["import", "--format", "pytorch", "a.safetensors", "--vocab", "runs/a/vocab.json", "runs/c"], in: work)
        #expect(inferred.status == 0, "\(inferred.stderr)")
        let again = try StateTensor.read(work + "/runs/c/model.safetensors")
        for (name, tensor) in original { #expect(again[name]?.bytes == tensor.bytes, "\(name) differs without --config") }
        #expect(try evaluation("runs/a", in: work) == evaluation("runs/c", in: work))
        // The imported run generates as the original does.
        let generate = Tool(name: "lm-generate")
        let first = try generate.run(["--model", "runs/a", "--prefix", "the time", "--length", "20"], in: work)
        let second = try generate.run(["--model", "runs/b", "--prefix", "the time", "--length", "20"], in: work)
        #expect(first.status == 0 && first.stdout == second.stdout, "\(first.stderr)\(second.stderr)")
    }

    static func layerNames(_ layers: Int) -> [String] {
        (0..<layers).flatMap { k in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map { "rnn.\($0)_l\(k)" } }
    }

    @Test func oneHotRNNRoundTripsExactly() throws {
        try roundTrip(["--model", "rnn", "--hidden", "8"],
                      expectedNames: ["encoder.weight", "decoder.weight", "decoder.bias"] + Self.layerNames(1))
    }

    @Test func twoLayerTiedLSTMWithTwoBiasesRoundTripsExactly() throws {
        try roundTrip(["--model", "lstm", "--hidden", "8", "--embedding", "8", "--tied", "--layers", "2", "--init", "pytorch"],
                      expectedNames: ["encoder.weight", "decoder.weight", "decoder.bias"] + Self.layerNames(2))
    }

    @Test func embeddingRNNWithReLURoundTripsExactly() throws {
        try roundTrip(["--model", "rnn", "--hidden", "8", "--embedding", "6", "--activation", "relu", "--layers", "2"],
                      expectedNames: ["encoder.weight", "decoder.weight", "decoder.bias"] + Self.layerNames(2))
    }

    @Test func pytorchGRUWithTwoBiasesRoundTripsExactly() throws {
        try roundTrip(["--model", "gru", "--gru-variant", "pytorch", "--hidden", "8", "--embedding", "8", "--init", "pytorch"],
                      expectedNames: ["encoder.weight", "decoder.weight", "decoder.bias"] + Self.layerNames(1))
    }

    @Test func oneHotTwoLayerPyTorchGRURoundTripsExactly() throws {
        try roundTrip(["--model", "gru", "--gru-variant", "pytorch", "--hidden", "8", "--layers", "2"],
                      expectedNames: ["encoder.weight", "decoder.weight", "decoder.bias"] + Self.layerNames(2))
    }

    @Test func exportHasPyTorchsLayouts() throws {
        let work = workDirectory()
        try trainRun("a", in: work, ["--model", "lstm", "--hidden", "4", "--embedding", "3"])
        let exported = try export("a", in: work)
        let original = try StateTensor.read(work + "/runs/a/model.safetensors")
        let v = original["embedding.W"]!.shape[0]
        #expect(exported["encoder.weight"]?.shape == [v, 3])
        #expect(exported["rnn.weight_ih_l0"]?.shape == [16, 3])
        #expect(exported["rnn.weight_hh_l0"]?.shape == [16, 4])
        #expect(exported["decoder.weight"]?.shape == [v, 4])
        // weight_ih row g·H + j is W_xh column (LMKit block)·H + j: PyTorch's g (2) is LMKit's C̃ (3).
        let wxh = original["lstm.0.W_xh"]!.floats, wih = exported["rnn.weight_ih_l0"]!.floats
        for (pytorch, lmkit) in [(0, 0), (1, 1), (2, 3), (3, 2)] {
            for j in 0..<4 { for k in 0..<3 { #expect(wih[(pytorch * 4 + j) * 3 + k] == wxh[k * 16 + lmkit * 4 + j]) } }
        }
        // One bias in LMKit: bias_hh is zeros; the head is W_hq transposed.
        #expect(exported["rnn.bias_hh_l0"]!.floats.allSatisfy { $0 == 0 })
        let whq = original["output.W_hq"]!.floats, decoder = exported["decoder.weight"]!.floats
        for i in 0..<v { for j in 0..<4 { #expect(decoder[i * 4 + j] == whq[j * v + i]) } }
    }

    @Test func oneHotExportsTheIdentityAsEncoder() throws {
        let work = workDirectory()
        try trainRun("a", in: work, ["--model", "rnn", "--hidden", "4"])
        let exported = try export("a", in: work)
        let encoder = exported["encoder.weight"]!
        let v = encoder.shape[0]
        #expect(encoder.shape == [v, v])
        #expect(encoder.floats == (0..<v * v).map { $0 / v == $0 % v ? 1 : 0 })
    }

    // MARK: - Refusals

    /// A work directory with an exported one-layer embedding RNN (`a.safetensors`, its tensors
    /// returned) and its vocabulary `runs/a/vocab.json`.
    func exportedRNN() throws -> (String, [String: StateTensor]) {
        let work = workDirectory()
        try trainRun("a", in: work, ["--model", "rnn", "--hidden", "4", "--embedding", "3"])
        return (work, try export("a", in: work))
    }

    func importArguments(_ state: String, config: String? = nil) -> [String] {
        ["import", "--format", "pytorch", state, "--vocab", "runs/a/vocab.json"] + (config.map { ["--config", $0] } ?? []) + ["out"]
    }

    @Test func missingTensorIsRefused() throws {
        let (work, tensors) = try exportedRNN()
        var changed = tensors
        changed["rnn.bias_hh_l0"] = nil
        try StateTensor.write(changed, to: work + "/s.safetensors")
        try expectFailure(importArguments("s.safetensors"), in: work, output: "out", "s.safetensors: no tensor rnn.bias_hh_l0")
    }

    @Test func extraTensorIsRefused() throws {
        let (work, tensors) = try exportedRNN()
        var changed = tensors
        changed["encoder.bias"] = StateTensor(shape: [3], floats: [0, 0, 0])
        try StateTensor.write(changed, to: work + "/s.safetensors")
        try expectFailure(importArguments("s.safetensors"), in: work, output: "out", "s.safetensors: unexpected tensor encoder.bias; word_language_model's RNNModel holds only")
        // A layer's tensor without the rest of its layer is a missing tensor of that layer.
        changed = tensors
        changed["rnn.weight_ih_l1"] = StateTensor(shape: [4, 4], floats: [Float](repeating: 0, count: 16))
        try StateTensor.write(changed, to: work + "/l.safetensors")
        try expectFailure(importArguments("l.safetensors"), in: work, output: "out", "no tensor rnn.weight_hh_l1 (a 2-layer RNN of hidden width 4 needs it)")
        changed = tensors
        changed["decoder.scale"] = StateTensor(shape: [1], floats: [1])
        try StateTensor.write(changed, to: work + "/t.safetensors")
        try expectFailure(importArguments("t.safetensors"), in: work, output: "out", "unexpected tensor decoder.scale")
    }

    @Test func shapesThatDoNotFitAreRefused() throws {
        let (work, tensors) = try exportedRNN()
        var changed = tensors
        changed["rnn.weight_ih_l0"] = StateTensor(shape: [4, 5], floats: [Float](repeating: 0, count: 20))
        try StateTensor.write(changed, to: work + "/s.safetensors")
        try expectFailure(importArguments("s.safetensors"), in: work, output: "out", "rnn.weight_ih_l0 has shape [4, 5], expected [4, 3]")
        // The config's sizes are checked against the tensors'.
        FileManager.default.createFile(atPath: work + "/c.json", contents: Data(#"{"hiddenSize": 8, "kind": "rnn"}"#.utf8))
        try expectFailure(importArguments("a.safetensors", config: "c.json"), in: work, output: "out",
                          "c.json: the config says hiddenSize 8 but the tensors say 4")
        FileManager.default.createFile(atPath: work + "/k.json", contents: Data(#"{"kind": "lstm"}"#.utf8))
        try expectFailure(importArguments("a.safetensors", config: "k.json"), in: work, output: "out",
                          "the config says kind lstm but the tensors say rnn")
        // A vocabulary of another size.
        let other = workDirectory()
        try trainRun("v", in: other, ["--model", "rnn", "--hidden", "4", "--level", "word"])
        try FileManager.default.copyItem(atPath: other + "/runs/v/vocab.json", toPath: work + "/words.json")
        try expectFailure(["import", "--format", "pytorch", "a.safetensors", "--vocab", "words.json", "out"], in: work, output: "out",
                          "words.json: the vocabulary has")
    }

    @Test func halfPrecisionIsConvertedWithANote() throws {
        let (work, tensors) = try exportedRNN()
        for dtype in ["F16", "BF16"] {
            // Values exactly representable in both half formats, so the import is exact.
            let rounded = tensors.mapValues { StateTensor(shape: $0.shape, floats: $0.floats.map { ($0 * 64).rounded() / 64 }) }
            try StateTensor.write(rounded, to: work + "/f32.safetensors")
            try StateTensor.write(rounded, to: work + "/half.safetensors", dtype: dtype)
            let half = try convert.run(Array(importArguments("half.safetensors").dropLast()) + ["half-\(dtype)"], in: work)
            #expect(half.status == 0, "\(half.stderr)")
            #expect(half.stderr.contains("converted \(tensors.count) tensors from F16/BF16 to F32"), "\(half.stderr)")
            let single = try convert.run(Array(importArguments("f32.safetensors").dropLast()) + ["single-\(dtype)"], in: work)
            #expect(single.status == 0 && !single.stderr.contains("converted"), "\(single.stderr)")
            let a = try StateTensor.read(work + "/half-\(dtype)/model.safetensors")
            let b = try StateTensor.read(work + "/single-\(dtype)/model.safetensors")
            #expect(a.mapValues(\.bytes) == b.mapValues(\.bytes))
            #expect(try evaluation("half-\(dtype)", in: work) == evaluation("single-\(dtype)", in: work))
        }
    }

    @Test func otherDtypesAreRefused() throws {
        let (work, tensors) = try exportedRNN()
        for dtype in ["F64", "I64", "U8"] {
            try StateTensor.write(tensors, to: work + "/s.safetensors", dtype: dtype)
            try expectFailure(importArguments("s.safetensors"), in: work, output: "out",
                              "has dtype \(dtype); LMKit reads F32 (and F16 or BF16, converted to F32)")
        }
    }

    @Test func bidirectionalAndProjectedStateDictsAreRefused() throws {
        let (work, tensors) = try exportedRNN()
        var changed = tensors
        for name in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"] { changed["rnn.\(name)_l0_reverse"] = tensors["rnn.\(name)_l0"] }
        try StateTensor.write(changed, to: work + "/bi.safetensors")
        try expectFailure(importArguments("bi.safetensors"), in: work, output: "out",
                          "bi.safetensors: rnn.bias_hh_l0_reverse belongs to a bidirectional RNN (bidirectional=True)")
        changed = tensors
        changed["rnn.weight_hr_l0"] = StateTensor(shape: [2, 4], floats: [Float](repeating: 0.5, count: 8))
        try StateTensor.write(changed, to: work + "/proj.safetensors")
        try expectFailure(importArguments("proj.safetensors"), in: work, output: "out",
                          "proj.safetensors: rnn.weight_hr_l0 belongs to an LSTM with proj_size > 0")
    }

    @Test func d2lGRUExportIsRefusedWithTheReason() throws {
        let work = workDirectory()
        try trainRun("g", in: work, ["--model", "gru", "--hidden", "4"])
        try expectFailure(["export", "--format", "pytorch", "runs/g", "g.safetensors"], in: work, output: "g.safetensors",
                          "runs/g: this GRU is d2l's variant; d2l's GRU applies the reset gate before the recurrent product")
        let result = try convert.run(["export", "--format", "pytorch", "runs/g", "g.safetensors"], in: work)
        #expect(result.stderr.contains("r ⊙ (W_hn h + b_hn)") && result.stderr.contains("--gru-variant pytorch"))
    }

    @Test func importingAPyTorchGRUAsD2lIsRefused() throws {
        let (work, tensors) = try exportedRNN()
        // A GRU state_dict: three gate blocks per tensor.
        var gru: [String: StateTensor] = tensors.filter { !$0.key.hasPrefix("rnn.") }
        gru["rnn.weight_ih_l0"] = StateTensor(shape: [12, 3], floats: [Float](repeating: 0.1, count: 36))
        gru["rnn.weight_hh_l0"] = StateTensor(shape: [12, 4], floats: [Float](repeating: 0.1, count: 48))
        gru["rnn.bias_ih_l0"] = StateTensor(shape: [12], floats: [Float](repeating: 0, count: 12))
        gru["rnn.bias_hh_l0"] = StateTensor(shape: [12], floats: [Float](repeating: 0, count: 12))
        try StateTensor.write(gru, to: work + "/gru.safetensors")
        FileManager.default.createFile(atPath: work + "/d2l.json", contents: Data(#"{"gruVariant": "d2l"}"#.utf8))
        try expectFailure(importArguments("gru.safetensors", config: "d2l.json"), in: work, output: "out",
                          "d2l.json: a PyTorch nn.GRU cannot become gruVariant d2l; d2l's GRU applies the reset gate before")
    }

    @Test func badConfigsAndOccupiedOutputsAreRefused() throws {
        let (work, _) = try exportedRNN()
        FileManager.default.createFile(atPath: work + "/u.json", contents: Data(#"{"hidden": 4}"#.utf8))
        try expectFailure(importArguments("a.safetensors", config: "u.json"), in: work, output: "out", "u.json: not a model configuration: unknown field hidden")
        FileManager.default.createFile(atPath: work + "/b.json", contents: Data(#"{"recurrentBias": false, "tied": true}"#.utf8))
        try expectFailure(importArguments("a.safetensors", config: "b.json"), in: work, output: "out",
                          "b.json: the config says tied true but the embedding width 3 differs from the hidden width 4")
        try FileManager.default.createDirectory(atPath: work + "/out", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: work + "/out/keep.txt", contents: Data("mine".utf8))
        let result = try convert.run(importArguments("a.safetensors"), in: work)
        #expect(result.status == 1 && result.stderr == "lm-convert: out: exists and is not empty; choose a new directory for the imported run\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: work + "/out") == ["keep.txt"])
        // An empty directory is filled.
        try FileManager.default.createDirectory(atPath: work + "/empty", withIntermediateDirectories: true)
        let filled = try convert.run(Array(importArguments("a.safetensors").dropLast()) + ["empty"], in: work)
        #expect(filled.status == 0, "\(filled.stderr)")
        #expect(FileManager.default.fileExists(atPath: work + "/empty/model.safetensors"))
    }

    @Test func anExportDoesNotOverwriteOnFailure() throws {
        let work = workDirectory()
        FileManager.default.createFile(atPath: work + "/keep.safetensors", contents: Data("mine".utf8))
        let result = try convert.run(["export", "--format", "pytorch", "runs/none", "keep.safetensors"], in: work)
        #expect(result.status == 1 && result.stderr.hasPrefix("lm-convert: runs/none: not an LMKit run directory"), "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: work + "/keep.safetensors") == Data("mine".utf8))
    }

    // MARK: - lm-eval --logits

    @Test func evalWritesOneRowOfLogitsPerPrediction() throws {
        let work = workDirectory()
        try trainRun("a", in: work, ["--model", "rnn", "--hidden", "4"])
        FileManager.default.createFile(atPath: work + "/w.txt", contents: Data("the time traveller\n".utf8))
        let result = try eval.run(["--model", "runs/a", "w.txt", "--logits", "w.safetensors", "--steps", "5"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        let logits = try StateTensor.read(work + "/w.safetensors")["logits"]!
        let v = try StateTensor.read(work + "/runs/a/model.safetensors")["output.b_q"]!.shape[0]
        #expect(logits.shape == ["the time traveller".count - 1, v])   // one row per predicted character
        // The mean cross-entropy of those logits is lm-eval's.
        let ids = try Tool(name: "lm-vocab").run(["encode", "--vocab", "runs/a/vocab.json"], input: "the time traveller\n", in: work)
            .stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { Int($0)! }
        let values = logits.floats
        var loss = 0.0
        for i in 0..<ids.count - 1 {
            let row = values[i * v..<(i + 1) * v].map(Double.init)
            let top = row.max()!
            loss += top + log(row.map { exp($0 - top) }.reduce(0, +)) - row[ids[i + 1]]
        }
        let reported = Double(result.stdout.split(separator: "\n").first { $0.hasPrefix("cross-entropy:") }!
            .split(separator: " ").dropFirst().first { !$0.isEmpty }!)!
        #expect(abs(loss / Double(ids.count - 1) - reported) < 1e-4)
        let batched = try eval.run(["--model", "runs/a", "w.txt", "--logits", "x.safetensors", "--batch", "2"], in: work)
        #expect(batched.status == 64 && batched.stderr.contains("--logits writes one row per position"), "\(batched.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work + "/x.safetensors"))
    }

    /// --json: the same measurement as the text report, at full precision, with the rows
    /// batchify makes (n / N tokens each: 3 rows of ⌊n / 3⌋ tokens, ⌊n / 3⌋ − 1 predictions each).
    @Test func evalJSONIsTheReportAtFullPrecision() throws {
        let work = workDirectory()
        try trainRun("a", in: work, ["--model", "rnn", "--hidden", "4"])
        let text = try eval.run(["--model", "runs/a", "tiny.txt", "--batch", "3"], in: work)
        let json = try eval.run(["--model", "runs/a", "tiny.txt", "--batch", "3", "--json"], in: work)
        #expect(text.status == 0 && json.status == 0, "\(text.stderr)\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let n = try #require(report["tokens"] as? Int), loss = try #require(report["crossEntropy"] as? Double)
        #expect(report["rows"] as? Int == 3 && report["predictions"] as? Int == 3 * (n / 3 - 1))
        #expect(text.stdout.contains(String(format: "cross-entropy: %.4f nats per token", loss)))
        #expect(abs((report["perplexity"] as? Double ?? 0) - exp(loss)) <= 1e-9 * exp(loss))
    }

    // MARK: - Vocabularies

    @Test func vocabularyGoesToTokenizerJSONAndBack() throws {
        let work = workDirectory()
        let vocab = Tool(name: "lm-vocab")
        for (level, extra) in [("word", ["--eos", "--preset", "raw"]), ("char", [])] {
            let built = try vocab.run(["build", "tiny.txt", "--level", level, "--output", "\(level).json"] + extra, in: work)
            #expect(built.status == 0, "\(built.stderr)")
            let exported = try convert.run(["vocab", "--format", "hf", "\(level).json", "\(level)-tokenizer.json"], in: work)
            #expect(exported.status == 0, "\(exported.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/\(level)-tokenizer.json"))) as! [String: Any]
            let model = json["model"] as! [String: Any]
            #expect(model["type"] as? String == "WordLevel" && model["unk_token"] as? String == "<unk>")
            #expect(((model["vocab"] as! [String: Int])["<unk>"]) == 0)
            let back = try convert.run(["vocab", "--format", "lmkit", "\(level)-tokenizer.json", "\(level)-back.json"], in: work)
            #expect(back.status == 0, "\(back.stderr)")
            let a = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/\(level).json"))) as! [String: Any]
            let b = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: work + "/\(level)-back.json"))) as! [String: Any]
            #expect(a["tokens"] as! [String] == b["tokens"] as! [String])
            func canonical(_ value: Any?) throws -> Data { try JSONSerialization.data(withJSONObject: value!, options: [.sortedKeys]) }
            #expect(try canonical(a["pipeline"]) == canonical(b["pipeline"]))
            // The vocabulary read back encodes as the original.
            let text = "the time traveller said\nfilby four\n"
            let x = try vocab.run(["encode", "--vocab", "\(level).json"], input: text, in: work)
            let y = try vocab.run(["encode", "--vocab", "\(level)-back.json"], input: text, in: work)
            #expect(x.status == 0 && x.stdout == y.stdout, "\(y.stderr)")
        }
    }

    /// tokenizers' own WordLevelTrainer output on a PTB slice (no special tokens, so the
    /// corpus's `<unk>` is id 1) becomes an LMKit vocabulary file that `lm-vocab encode` reads
    /// to tokenizers' ids (Tests/Fixtures/HuggingFace/ptb-ids.json).
    @Test func tokenizersWordLevelTrainerOutputEncodesAsTokenizers() throws {
        let work = Tool.temporaryDirectory(), fixtures = Tool.repository + "/Tests/Fixtures/HuggingFace"
        let imported = try convert.run(["vocab", "--format", "lmkit", fixtures + "/ptb-whitespacesplit.json", "ptb.json"], in: work)
        #expect(imported.status == 0, "\(imported.stderr)")
        let fixture = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/ptb-ids.json"))) as! [String: Any]
        let lines = (fixture["lines"] as! [String]).prefix(10), ids = (fixture["WhitespaceSplit"] as! [[Int]]).prefix(10)
        let encoded = try Tool(name: "lm-vocab").run(["encode", "--vocab", "ptb.json"], input: lines.joined(), in: work)
        #expect(encoded.status == 0, "\(encoded.stderr)")
        #expect(encoded.stdout.split(separator: "\n").map { $0.split(separator: " ").map { Int($0)! } } == Array(ids))
        #expect(ids.joined().contains(1))   // the test lines' <unk>, at tokenizers' id 1
    }

    @Test func tokenizersLMKitCannotReproduceAreRefused() throws {
        let work = workDirectory()
        let bpe = #"{"model": {"type": "BPE", "vocab": {"<unk>": 0}, "merges": []}, "pre_tokenizer": {"type": "WhitespaceSplit"}}"#
        FileManager.default.createFile(atPath: work + "/bpe.json", contents: Data(bpe.utf8))
        try expectFailure(["vocab", "--format", "lmkit", "bpe.json", "out.json"], in: work, output: "out.json",
                          "bpe.json: LMKit cannot reproduce this tokenizer: model type BPE")
        let bert = #"{"model": {"type": "WordLevel", "vocab": {"<unk>": 0, "a": 1}, "unk_token": "<unk>"}, "normalizer": {"type": "BertNormalizer"}, "pre_tokenizer": {"type": "WhitespaceSplit"}}"#
        FileManager.default.createFile(atPath: work + "/bert.json", contents: Data(bert.utf8))
        try expectFailure(["vocab", "--format", "lmkit", "bert.json", "out.json"], in: work, output: "out.json", "normalizer BertNormalizer has no LMKit equivalent")
        let gap = #"{"model": {"type": "WordLevel", "vocab": {"<unk>": 0, "a": 2}, "unk_token": "<unk>"}, "pre_tokenizer": {"type": "WhitespaceSplit"}}"#
        FileManager.default.createFile(atPath: work + "/gap.json", contents: Data(gap.utf8))
        try expectFailure(["vocab", "--format", "lmkit", "gap.json", "out.json"], in: work, output: "out.json", "not an id in 0..<2")
    }
}

/// A tensor of a safetensors file, as stored (dtype and little-endian bytes), for tests that
/// cannot link LMModelFiles.
struct StateTensor: Equatable {
    var shape: [Int]
    var dtype = "F32"
    var bytes: Data

    init(shape: [Int], floats: [Float]) {
        self.shape = shape
        bytes = floats.withUnsafeBytes { Data($0) }
    }

    init(shape: [Int], dtype: String, bytes: Data) {
        self.shape = shape
        self.dtype = dtype
        self.bytes = bytes
    }

    /// The values of an F32 tensor.
    var floats: [Float] {
        bytes.withUnsafeBytes { raw in (0..<bytes.count / 4).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
    }

    static func read(_ path: String) throws -> [String: StateTensor] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<8 + length)) as! [String: Any]
        var tensors: [String: StateTensor] = [:]
        for (name, value) in header where name != "__metadata__" {
            let info = value as! [String: Any], offsets = info["data_offsets"] as! [Int]
            tensors[name] = StateTensor(shape: info["shape"] as! [Int], dtype: info["dtype"] as! String,
                                        bytes: data.subdata(in: 8 + length + offsets[0]..<8 + length + offsets[1]))
        }
        return tensors
    }

    /// Writes F32 tensors as `dtype`: F32, F16 and BF16 converted (F16 by Swift's rounding,
    /// BF16 by truncation), F64, I64 and U8 as raw bytes of the right size.
    static func write(_ tensors: [String: StateTensor], to path: String, dtype: String = "F32") throws {
        var header: [String: Any] = [:]
        var body = Data()
        for name in tensors.keys.sorted() {
            let floats = tensors[name]!.floats
            var bytes = Data()
            switch dtype {
            case "F16": for f in floats { withUnsafeBytes(of: Float16(f).bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            case "BF16": for f in floats { withUnsafeBytes(of: UInt16(f.bitPattern >> 16).littleEndian) { bytes.append(contentsOf: $0) } }
            case "F64", "I64": for f in floats { withUnsafeBytes(of: Double(f)) { bytes.append(contentsOf: $0) } }
            case "U8": bytes = Data(count: floats.count)
            default: bytes = tensors[name]!.bytes
            }
            header[name] = ["dtype": dtype, "shape": tensors[name]!.shape, "data_offsets": [body.count, body.count + bytes.count]]
            body.append(bytes)
        }
        header["__metadata__"] = ["format": "pt"]
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(body)
        try file.write(to: URL(fileURLWithPath: path))
    }
}
