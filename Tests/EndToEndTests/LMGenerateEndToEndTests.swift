import Foundation
import Testing

/// `lm-generate` run as a user would, on small run directories written here (config.json,
/// vocab.json, model.safetensors in the formats lm-train writes), and on a run lm-train made.
@Suite struct LMGenerateEndToEndTests {
    let tool = Tool(name: "lm-generate")

    /// A run directory for a character RNN/GRU over the time machine's vocabulary (or
    /// `tokens`), with random weights of `scale` (large enough that the text varies).
    @discardableResult
    static func makeRun(_ directory: String, kind: String = "rnn", hidden: Int = 16, weightsHidden: Int? = nil,
                        seed: UInt64 = 1, scale: Float = 0.7, dropTokens: Set<String> = []) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // vocab.json: the committed time machine vocabulary, possibly without some tokens.
        let committed = try Data(contentsOf: URL(fileURLWithPath: Tool.repository + "/vocab/timemachine-char.json"))
        var vocab = try JSONSerialization.jsonObject(with: committed) as! [String: Any]
        let allTokens = vocab["tokens"] as! [String], allFrequencies = vocab["frequencies"] as! [Int]
        let keep = allTokens.indices.filter { !dropTokens.contains(allTokens[$0]) }
        let tokens = keep.map { allTokens[$0] }
        vocab["tokens"] = tokens
        vocab["frequencies"] = keep.map { allFrequencies[$0] }
        try JSONSerialization.data(withJSONObject: vocab, options: [.sortedKeys])
            .write(to: URL(fileURLWithPath: directory + "/vocab.json"))
        let v = tokens.count
        // config.json, as RunConfig encodes it.
        let config = """
        {"format": "lmkit-run", "version": 1,
         "model": {"kind": "\(kind)", "activation": "tanh", "vocabularySize": \(v), "hiddenSize": \(hidden), "layers": 1,
                   "initialization": {"scheme": "normal", "scale": 0.01}},
         "training": {"corpus": "timemachine", "batch": 32, "steps": 35, "epochs": 1, "lr": 1, "optimizer": "sgd",
                      "momentum": 0, "nesterov": false, "clip": 1, "sampler": "sequential", "maxTokens": 10000,
                      "validationFraction": 0, "seed": 0, "checkpointEvery": 10, "keep": 3}}
        """
        try Data(config.utf8).write(to: URL(fileURLWithPath: directory + "/config.json"))
        // model.safetensors with the parameter names and shapes of RecurrentLM.
        let h = weightsHidden ?? hidden, g = kind == "gru" ? 3 : kind == "lstm" ? 4 : 1
        let shapes: [(String, [Int])] = [("\(kind).0.W_xh", [v, g * h]), ("\(kind).0.W_hh", [h, g * h]), ("\(kind).0.b_h", [g * h]),
                                          ("output.W_hq", [h, v]), ("output.b_q", [v])]
        var state = seed
        func random() -> Float {   // SplitMix64 → uniform in [-1, 1)
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Float((z ^ (z >> 31)) >> 40) * 0x1p-23 - 1
        }
        var header: [String: Any] = [:]
        var body = Data()
        for (name, shape) in shapes {
            let count = shape.reduce(1, *)
            var values = (0..<count).map { _ in random() * scale }
            header[name] = ["dtype": "F32", "shape": shape, "data_offsets": [body.count, body.count + count * 4]]
            values.withUnsafeMutableBytes { body.append(contentsOf: $0) }
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var file = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(json)
        file.append(body)
        try file.write(to: URL(fileURLWithPath: directory + "/model.safetensors"))
        return tokens
    }

    @Test func greedyPrintsThePrefixAndItsContinuationDeterministically() throws {
        let work = Tool.temporaryDirectory()
        let tokens = try Self.makeRun(work + "/run")
        let first = try tool.run(["--model", "run", "--prefix", "time traveller"], in: work)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.isEmpty, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("time traveller"))
        #expect(first.stdout.hasSuffix("\n"))
        let line = first.stdout.dropLast()
        #expect(!line.contains("\n"))
        #expect(line.count == "time traveller".count + 50)   // one character per token
        #expect(!line.contains("<unk>"))
        #expect(line.allSatisfy { tokens.contains(String($0)) })
        let again = try tool.run(["--model", "run", "--prefix", "time traveller"], in: work)
        #expect(again.stdout == first.stdout)
        try Self.makeRun(work + "/gru", kind: "gru")
        let gru = try tool.run(["--model", "gru", "--prefix", "time traveller", "--length", "5"], in: work)
        #expect(gru.status == 0, "\(gru.stderr)")
        #expect(gru.stdout.count == "time traveller".count + 5 + 1)
    }

    @Test func defaultModelIsRunsLatest() throws {
        let work = Tool.temporaryDirectory()
        try Self.makeRun(work + "/runs/tm-rnn")
        try FileManager.default.createSymbolicLink(atPath: work + "/runs/latest", withDestinationPath: "tm-rnn")
        let viaLatest = try tool.run(["--prefix", "time"], in: work)
        let explicit = try tool.run(["--model", "runs/tm-rnn", "--prefix", "time"], in: work)
        #expect(viaLatest.status == 0, "\(viaLatest.stderr)")
        #expect(viaLatest.stdout == explicit.stdout)
    }

    @Test func prefixGoesThroughTheModelsPreprocessing() throws {
        let work = Tool.temporaryDirectory()
        try Self.makeRun(work + "/run")
        let changed = try tool.run(["--model", "run", "--prefix", "The Time-Traveller!", "--length", "10"], in: work)
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout.hasPrefix("the time traveller"))
        #expect(changed.stderr.contains("lm-generate: note: the model reads the prefix as \"the time traveller\" (d2l preset"))
        let plain = try tool.run(["--model", "run", "--prefix", "the time traveller", "--length", "10"], in: work)
        #expect(plain.stdout == changed.stdout)

        // Tokens the vocabulary lacks become <unk> with a warning; --strict refuses them.
        try Self.makeRun(work + "/small", dropTokens: ["q", "z"])
        let unknown = try tool.run(["--model", "small", "--prefix", "quiz", "--length", "5"], in: work)
        #expect(unknown.status == 0, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("warning: not in the vocabulary, read as <unk>: \"q\", \"z\""))
        #expect(unknown.stdout.hasPrefix("quiz"))
        let strict = try tool.run(["--model", "small", "--prefix", "quiz", "--strict"], in: work)
        #expect(strict.status != 0)
        #expect(strict.stdout.isEmpty)
        #expect(strict.stderr == "lm-generate: the prefix has tokens outside the model's vocabulary: \"q\", \"z\" (drop --strict to read them as <unk>)\n")
    }

    @Test func samplingIsReproducibleAndAlphaTwoIsTemperatureHalf() throws {
        let work = Tool.temporaryDirectory()
        try Self.makeRun(work + "/run", scale: 1.2)
        func run(_ extra: [String]) throws -> String {
            let r = try tool.run(["--model", "run", "--prefix", "time traveller", "--length", "200"] + extra, in: work)
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout
        }
        let t = try run(["--temperature", "0.5", "--seed", "7"])
        #expect(try run(["--temperature", "0.5", "--seed", "7"]) == t)
        #expect(try run(["--strategy", "alpha", "--alpha", "2", "--seed", "7"]) == t)
        #expect(try run(["--alpha", "2", "--seed", "7"]) == t)
        #expect(try run(["--temperature", "0.5", "--seed", "8"]) != t)
        #expect(try run(["--top-k", "3", "--seed", "7"]) != (try run(["--top-k", "3", "--seed", "8"])))
        #expect(try run(["--top-p", "0.9", "--top-k", "5", "--temperature", "0.8", "--seed", "1"]).hasPrefix("time traveller"))
        // Without --seed a random one is used and printed.
        let unseeded = try tool.run(["--model", "run", "--prefix", "time", "--temperature", "1"], in: work)
        #expect(unseeded.stderr.hasPrefix("lm-generate: seed "))
        #expect(unseeded.stderr.contains("(pass --seed "))
    }

    @Test func samplesAreOneLineEach() throws {
        let work = Tool.temporaryDirectory()
        try Self.makeRun(work + "/run", scale: 1.2)
        let r = try tool.run(["--model", "run", "--prefix", "time", "--length", "30", "--samples", "4", "--top-p", "0.95", "--seed", "3", "--stats"], in: work)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.hasPrefix("time") && $0.count == 34 })
        #expect(Set(lines).count > 1)
        #expect(r.stderr.contains("lm-generate: generated 120 tokens in "))
    }

    /// Beam search: one beam is greedy; K beams print the best, deterministically; with
    /// --samples N the N best, one per line, the best first.
    @Test func beamSearchPrintsTheBestBeams() throws {
        let work = Tool.temporaryDirectory()
        try Self.makeRun(work + "/run", kind: "gru")
        func run(_ extra: [String]) throws -> (stdout: String, stderr: String) {
            let r = try tool.run(["--model", "run", "--prefix", "time traveller", "--length", "30"] + extra, in: work)
            #expect(r.status == 0, "\(r.stderr)")
            return (r.stdout, r.stderr)
        }
        let greedy = try run([]).stdout
        #expect(try run(["--strategy", "beam", "--beams", "1"]).stdout == greedy)
        let beam = try run(["--beams", "6", "--length-penalty", "0.7"])
        #expect(beam.stderr.isEmpty, "\(beam.stderr)")   // no seed note: beam search draws nothing
        #expect(beam.stdout.hasPrefix("time traveller") && beam.stdout.count == "time traveller".count + 30 + 1)
        #expect(try run(["--strategy", "beam", "--beams", "6"]).stdout == beam.stdout)
        let best = try run(["--beams", "6", "--samples", "4", "--stats"])
        let lines = best.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4 && Set(lines).count == 4)
        #expect(lines[0] + "\n" == beam.stdout)
        #expect(lines.allSatisfy { $0.hasPrefix("time traveller") && $0.count == "time traveller".count + 30 })
        #expect(best.stderr.contains("lm-generate: generated 180 tokens in ") && best.stderr.contains("batch 6, beam)"))
    }

    /// The text reaches stdout token by token: the first bytes arrive while generation goes on.
    @Test func outputStreams() throws {
        let work = Tool.temporaryDirectory()
        try Self.makeRun(work + "/run")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tool.productsDirectory + "/lm-generate")
        process.arguments = ["--model", work + "/run", "--prefix", "time", "--length", "100000000"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // SIGKILL: the test runner's threads may block SIGTERM, and children inherit the mask.
        defer { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        let first = stdout.fileHandleForReading.availableData
        #expect(String(decoding: first, as: UTF8.self).hasPrefix("time"))
        #expect(process.isRunning)
    }

    @Test func errorsAreOneLineNamingTheProblem() throws {
        let work = Tool.temporaryDirectory()
        func fails(_ arguments: [String], _ expected: String, exactly: Bool = false) throws {
            let r = try tool.run(arguments, in: work)
            #expect(r.status != 0, "\(arguments)")
            #expect(r.stdout.isEmpty)
            if exactly {
                #expect(r.stderr == expected + "\n", "\(arguments)")
            } else {
                #expect(r.stderr.contains(expected), "\(arguments): \(r.stderr)")
            }
        }
        // Missing model directory (given, and the default runs/latest).
        try fails(["--model", "nosuch", "--prefix", "a"],
                  "lm-generate: nosuch: not an LMKit run directory: no such directory (train one with lm-train, or pass --model DIR)", exactly: true)
        try fails(["--prefix", "a"], "lm-generate: runs/latest: not an LMKit run directory: no such directory", exactly: false)
        // A directory that is not a model.
        try FileManager.default.createDirectory(atPath: work + "/empty", withIntermediateDirectories: true)
        try fails(["--model", "empty", "--prefix", "a"], "lm-generate: empty: not an LMKit run directory: it has no config.json", exactly: true)
        _ = FileManager.default.createFile(atPath: work + "/file", contents: Data("x".utf8))
        try fails(["--model", "file", "--prefix", "a"], "lm-generate: file: not an LMKit run directory: it is a file, not a directory", exactly: true)
        // Weights that do not match the config.
        try Self.makeRun(work + "/mismatch", hidden: 16, weightsHidden: 8)
        try fails(["--model", "mismatch", "--prefix", "a"],
                  "lm-generate: mismatch/model.safetensors: weights do not match config.json: rnn.0.W_xh has shape [28, 8], the model needs [28, 16]", exactly: true)
        // An empty prefix, or one with nothing the model reads.
        try Self.makeRun(work + "/run")
        try fails(["--model", "run", "--prefix", ""], "--prefix is empty")
        try fails(["--model", "run", "--prefix", "!!! 42"],
                  "lm-generate: the prefix \"!!! 42\" is empty after the model's preprocessing (d2l preset")
        // Bad settings.
        try fails(["--model", "run", "--prefix", "a", "--temperature", "0"], "--temperature must be positive")
        try fails(["--model", "run", "--prefix", "a", "--top-p", "1.5"], "--top-p must be in (0, 1]")
        try fails(["--model", "run", "--prefix", "a", "--top-k", "0"], "--top-k must be ≥ 1")
        try fails(["--model", "run", "--prefix", "a", "--alpha=-1"], "--alpha must be ≥ 0")
        try fails(["--model", "run", "--prefix", "a", "--strategy", "greedy", "--temperature", "1"], "--temperature has no effect with --strategy greedy")
        try fails(["--model", "run", "--prefix", "a", "--strategy", "top-k"], "--strategy top-k needs --top-k K")
        try fails(["--model", "run", "--prefix", "a", "--samples", "0"], "--samples must be ≥ 1")
        try fails(["--model", "run", "--prefix", "a", "--beams", "0"], "--beams must be in 1...64 (got 0)")
        try fails(["--model", "run", "--prefix", "a", "--beams", "65"], "--beams must be in 1...64 (got 65)")
        try fails(["--model", "run", "--prefix", "a", "--strategy", "beam"], "--strategy beam needs --beams K")
        try fails(["--model", "run", "--prefix", "a", "--beams", "4", "--temperature", "0.8"], "--temperature has no effect with --strategy beam")
        try fails(["--model", "run", "--prefix", "a", "--strategy", "beam", "--beams", "4", "--top-k", "3"], "--top-k has no effect with --strategy beam")
        try fails(["--model", "run", "--prefix", "a", "--length-penalty", "1"], "--length-penalty applies to --strategy beam")
        try fails(["--model", "run", "--prefix", "a", "--top-p", "0.9", "--stop-at-eos"], "--stop-at-eos applies to --strategy beam")
        try fails(["--model", "run", "--prefix", "a", "--beams", "2", "--length-penalty=-1"], "--length-penalty must be finite and ≥ 0")
        try fails(["--model", "run", "--prefix", "a", "--beams", "2", "--samples", "3"], "--samples (3) must be ≤ --beams (2)")
        try fails(["--model", "run", "--prefix", "a", "--beams", "2", "--stop-at-eos"],
                  "lm-generate: --stop-at-eos needs <eos> in the model's vocabulary (a word-level one built with --eos); this one has none", exactly: true)
    }

    /// A word model built with --eos reads a prefix as a whole line, `<eos>` after it (the
    /// note says so); --continue-line reads it as unfinished, as it was given.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: Tool.productsDirectory + "/lm-train")))
    func continueLineLeavesTheEndOfLineOut() throws {
        let work = Tool.tinyCorpusDirectory(lines: 40)
        let train = try Tool(name: "lm-train").run(["tiny.txt", "--level", "word", "--preset", "raw", "--eos", "--epochs", "1",
                                                    "--hidden", "16", "--batch", "4", "--steps", "6", "--max-tokens", "0",
                                                    "--threads", "1", "--out", "runs/w"], in: work)
        #expect(train.status == 0, "\(train.stderr)")
        let whole = try tool.run(["--model", "runs/w", "--prefix", "the time", "--length", "8"], in: work)
        let open = try tool.run(["--model", "runs/w", "--prefix", "the time", "--length", "8", "--continue-line"], in: work)
        #expect(whole.status == 0 && open.status == 0, "\(whole.stderr) \(open.stderr)")
        // The prefix as read: with its <eos> (printed as a line end), or as given.
        #expect(whole.stdout.hasPrefix("the time\n") && whole.stderr.contains(#"reads the prefix as "the time\n""#), "\(whole.stderr)")
        #expect(open.stdout.hasPrefix("the time") && !open.stderr.contains("reads the prefix"), "\(open.stderr)")
    }

    /// The acceptance check: after `lm-train`, `lm-generate --prefix "time traveller"` prints
    /// the greedy continuation training printed last (both run d2l's predict on the final weights).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: Tool.productsDirectory + "/lm-train")))
    func greedyContinuationEqualsTheSampleTrainingPrinted() throws {
        let work = Tool.temporaryDirectory()
        let corpus = Tool.mirror + "/timemachine.txt"
        try #require(FileManager.default.fileExists(atPath: corpus), "no corpus mirror at \(Tool.mirror)")
        let train = try Tool(name: "lm-train").run([corpus, "--epochs", "20", "--hidden", "64", "--max-tokens", "3000",
                                                    "--out", "runs/tm"], in: work)
        #expect(train.status == 0, "\(train.stderr)")
        let samples = train.stdout.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .compactMap { line in line.range(of: "sample: ").map { String(line[$0.upperBound...]) } }
        let last = try #require(samples.last, "lm-train printed no sample: \(train.stdout)")
        #expect(last.hasPrefix("time traveller"))
        let generated = try tool.run(["--model", "runs/tm", "--prefix", "time traveller"], in: work)
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(generated.stdout == last + "\n")
        // runs/latest points at it.
        let latest = try tool.run(["--prefix", "time traveller"], in: work)
        #expect(latest.stdout == generated.stdout)
    }
}
