import Foundation
import Testing

/// Every message a tool prints is true and actionable, and the smaller gaps of issue 13 are
/// closed: each test asserts the exit status, the one-line message's key words and that no
/// file was lost.
@Suite struct MessagesTests {
    let train = Tool(name: "lm-train")
    let eval = Tool(name: "lm-eval")
    let vocab = Tool(name: "lm-vocab")
    let generate = Tool(name: "lm-generate")
    let small = ["--batch", "4", "--steps", "6", "--hidden", "8", "--epochs", "1", "--max-tokens", "0"]

    /// A directory holding `tiny.txt` (English-like text) and `bad.txt` (invalid UTF-8 at byte 2).
    func workDirectory() -> String {
        let work = Tool.tinyCorpusDirectory(lines: 40)
        write(Data([0x61, 0x62, 0xFF, 0x63, 0x0A]), work + "/bad.txt")
        return work
    }

    func write(_ data: Data, _ path: String) { FileManager.default.createFile(atPath: path, contents: data) }
    func contents(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    /// Expects exit `status` and one line on stderr that starts with `<tool>: ` and holds every key word.
    func expectFailure(_ result: Tool.Result, _ tool: String, status: Int32 = 1, _ words: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == status, "\(result.stderr)", sourceLocation: sourceLocation)
        if status == 1 {
            #expect(result.stderr.hasPrefix("\(tool): "), "\(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        }
        for word in words { #expect(result.stderr.contains(word), "\(word) not in \(result.stderr)", sourceLocation: sourceLocation) }
    }

    /// Runs `tool` with stdin read from the file at `input` (bytes as they are, not a String).
    func run(_ tool: String, _ arguments: [String], stdinFile input: String, in work: String) throws -> Tool.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tool.productsDirectory + "/" + tool)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: work)
        process.standardInput = FileHandle(forReadingAtPath: input)
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Tool.Result(status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
                           stderr: String(decoding: error, as: UTF8.self))
    }

    /// A trained run in `work/run`.
    func trainedRun(_ work: String) throws -> String {
        let result = try train.run(["tiny.txt", "--out", "run"] + small, in: work)
        #expect(result.status == 0, "\(result.stderr)")
        return work + "/run"
    }

    // MARK: - System errors in plain words

    @Test func aFullDiskSaysNoSpaceLeftAndKeepsTheOldFile() throws {
        let work = workDirectory()
        let disk = work + "/disk"
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=64k", "tmpfs", disk]
        mount.standardError = FileHandle.nullDevice
        guard (try? mount.run()) != nil else { return }
        mount.waitUntilExit()
        guard mount.terminationStatus == 0 else { return }   // not root: no tmpfs to fill
        defer {
            let unmount = Process()
            unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
            unmount.arguments = [disk]
            try? unmount.run()
            unmount.waitUntilExit()
        }
        write(Data("old".utf8), disk + "/v.json")
        write(Data(count: 60_000), disk + "/filler")
        let big = String(repeating: "abcdefghijklmnopqrstuvwxyz0123456789αβγδεζηθ\n", count: 200)
        write(Data(big.utf8), work + "/many.txt")
        let result = try vocab.run(["build", "many.txt", "--preset", "raw", "-o", "disk/v.json"], in: work)
        expectFailure(result, "lm-vocab", ["disk/v.json", "no space left on device"])
        #expect(contents(disk + "/v.json") == Data("old".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: disk).sorted() == ["filler", "v.json"])
        let run = try train.run(["tiny.txt", "--out", "disk/run"] + small, in: work)
        expectFailure(run, "lm-train", ["no space left on device"])
    }

    @Test func outOnAFileSaysItIsAFile() throws {
        let work = workDirectory()
        write(Data("mine".utf8), work + "/notes")
        let result = try train.run(["tiny.txt", "--out", "notes"] + small, in: work)
        expectFailure(result, "lm-train", ["notes", "is a file, not a directory", "--out"])
        #expect(!result.stderr.contains("NSCocoaErrorDomain"))
        let below = try train.run(["tiny.txt", "--out", "notes/run"] + small, in: work)
        expectFailure(below, "lm-train", ["notes/run", "not a directory", "notes is a file"])
        #expect(!below.stderr.contains("NSCocoaErrorDomain"))
        #expect(contents(work + "/notes") == Data("mine".utf8))
    }

    // MARK: - Every claim a message makes is checked

    @Test func invalidUTF8SuggestsWhatEachToolAccepts() throws {
        let work = workDirectory()
        let trained = try train.run(["bad.txt", "--out", "bad"] + small, in: work)
        expectFailure(trained, "lm-train", ["bad.txt", "byte offset 2", "lm-vocab build", "--replace-invalid", "--vocab"])
        #expect(!trained.stderr.contains("(pass --replace-invalid"))
        #expect(!exists(work + "/bad"))
        _ = try trainedRun(work)
        let evaluated = try eval.run(["--model", "run", "bad.txt"], in: work)
        expectFailure(evaluated, "lm-eval", ["bad.txt", "byte offset 2", "run/vocab.json"])
        #expect(!evaluated.stderr.contains("pass --replace-invalid"))
    }

    @Test func tooShortCorporaSayWhatIsTrue() throws {
        let work = workDirectory()
        write(Data("abc".utf8), work + "/three.txt")
        let three = try train.run(["three.txt", "--hidden", "8", "--epochs", "1", "--out", "r3"], in: work)
        expectFailure(three, "lm-train", ["three.txt", "lower both --batch and --steps"])
        #expect(!three.stderr.contains("1 × 1 does not fit"))
        // batch 1 × 1 does fit in three tokens: the advice works.
        let fits = try train.run(["three.txt", "--hidden", "8", "--epochs", "1", "--batch", "1", "--steps", "1", "--out", "r1"], in: work)
        #expect(fits.status == 0, "\(fits.stderr)")
        write(Data("a".utf8), work + "/one.txt")
        let one = try train.run(["one.txt", "--hidden", "8", "--epochs", "1", "--out", "r0"], in: work)
        expectFailure(one, "lm-train", ["one.txt", "even batch 1 × 1 does not fit"])
        #expect(!exists(work + "/r3") && !exists(work + "/r0"))
    }

    @Test func negativeNumbersReachTheRangeChecks() throws {
        let work = workDirectory()
        expectFailure(try train.run(["tiny.txt", "--lr", "-1", "--out", "r"] + small, in: work), "lm-train", ["--lr must be positive"])
        expectFailure(try train.run(["tiny.txt", "--hidden", "-5", "--out", "r"], in: work), "lm-train", status: 64, ["--hidden must be at least 1"])
        expectFailure(try generate.run(["--prefix", "the", "--temperature", "-1"], in: work), "lm-generate", status: 64, ["temperature"])
        expectFailure(try eval.run(["tiny.txt", "--steps", "-3"], in: work), "lm-eval", status: 64, ["--steps must be at least 1"])
        for result in [try train.run(["tiny.txt", "--lr", "-1"], in: work), try eval.run(["tiny.txt", "--steps", "-3"], in: work)] {
            #expect(!result.stderr.contains("Missing value"))
        }
        #expect(!exists(work + "/r"))
    }

    /// A settings error of a flag lm-train checked with its arguments before the settings layer
    /// is a usage error (exit 64, with the usage), as it was; the run's own checks exit 1.
    @Test func settingsUsageErrorsExitAsUsageErrors() throws {
        let work = workDirectory()
        for (flags, words) in [(["--layers", "0"], "--layers must be at least 1"), (["--embedding", "0"], "--embedding must be at least 1"),
                               (["--threads", "0"], "--threads must be at least 1"), (["--weight-drop", "0.1", "--dropout-input", "0.2"], "--dropout-input needs --embedding"),
                               (["--resume", "--overwrite"], "--resume and --overwrite exclude each other")] {
            let result = try train.run(["tiny.txt", "--out", "r"] + small + flags, in: work)
            expectFailure(result, "lm-train", status: 64, [words, "Usage: lm-train"])
        }
        expectFailure(try train.run(["tiny.txt", "--momentum", "1", "--optimizer", "rmsprop", "--out", "r"] + small, in: work),
                      "lm-train", ["--momentum must be in [0, 1)"])
        expectFailure(try train.run(["tiny.txt", "--time-budget", "-2", "--out", "r"] + small, in: work),
                      "lm-train", ["--time-budget must be a positive number of minutes (got -2.0)"])
        expectFailure(try train.run(["tiny.txt", "--lr-schedule", "linear:0:1", "--out", "r"] + small, in: work),
                      "lm-train", ["--lr-schedule linear:0.0:1.0: the warm-up must be a fraction of the run in [0, 1)"])
        #expect(!exists(work + "/r"))
    }

    /// --tied with mismatched widths says what to change, in one line; with equal widths the
    /// tied run trains, saves the embedding once and lm-eval and lm-generate load it.
    @Test func tyingNeedsEqualWidthsAndTiedRunsLoad() throws {
        let work = workDirectory()
        expectFailure(try train.run(["tiny.txt", "--out", "bad", "--model", "lstm", "--tied", "--embedding", "5"] + small, in: work),
                      "lm-train", ["--tied", "--hidden (8) must equal --embedding (5)", "set both to the same width"])
        expectFailure(try train.run(["tiny.txt", "--out", "bad", "--init-output", "gaussian:2"] + small, in: work),
                      "lm-train", status: 64, ["--init-output", "SCHEME[:SCALE]"])
        let trained = try train.run(["tiny.txt", "--out", "run", "--model", "lstm", "--tied", "--embedding", "8", "--init", "pytorch",
                                     "--forget-bias", "1"] + small, in: work)
        #expect(trained.status == 0, "\(trained.stderr)")
        let config = String(decoding: contents(work + "/run/config.json") ?? Data(), as: UTF8.self)
        #expect(config.contains("\"tied\" : true") && config.contains("\"recurrentBias\" : true"), "\(config)")
        let evaluated = try eval.run(["--model", "run", "tiny.txt"], in: work)
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let generated = try generate.run(["--model", "run", "--prefix", "the", "--length", "10"], in: work)
        #expect(generated.status == 0, "\(generated.stderr)")
    }

    /// --gru-variant on another cell or a toy task is refused in one line, nothing written;
    /// --gru-variant pytorch is recorded in config.json (--init pytorch alone keeps d2l's), and
    /// lm-eval and lm-generate load the run.
    @Test func gruVariantIsCheckedAndRecorded() throws {
        let work = workDirectory()
        expectFailure(try train.run(["tiny.txt", "--out", "bad", "--model", "lstm", "--gru-variant", "pytorch"] + small, in: work),
                      "lm-train", ["--gru-variant applies to the gru cell only; lstm has no reset gate"])
        expectFailure(try train.run(["--task", "adding", "--model", "gru", "--gru-variant", "pytorch", "--out", "bad"], in: work),
                      "lm-train", status: 64, ["Unknown option '--gru-variant'"])
        expectFailure(try train.run(["tiny.txt", "--out", "bad", "--model", "gru", "--gru-variant", "keras"] + small, in: work),
                      "lm-train", status: 64, ["d2l", "pytorch"])
        #expect(!exists(work + "/bad"))
        let plain = try train.run(["tiny.txt", "--out", "d2l", "--model", "gru", "--init", "pytorch"] + small, in: work)
        #expect(plain.status == 0, "\(plain.stderr)")
        let d2l = String(decoding: contents(work + "/d2l/config.json") ?? Data(), as: UTF8.self)
        #expect(d2l.contains(#""gruVariant" : "d2l""#), "\(d2l)")
        let trained = try train.run(["tiny.txt", "--out", "run", "--model", "gru", "--gru-variant", "pytorch", "--init", "pytorch",
                                     "--embedding", "4", "--weight-drop", "0.2"] + small, in: work)
        #expect(trained.status == 0, "\(trained.stderr)")
        let config = String(decoding: contents(work + "/run/config.json") ?? Data(), as: UTF8.self)
        #expect(config.contains(#""gruVariant" : "pytorch""#), "\(config)")
        let evaluated = try eval.run(["--model", "run", "tiny.txt"], in: work)
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let generated = try generate.run(["--model", "run", "--prefix", "the", "--length", "10"], in: work)
        #expect(generated.status == 0, "\(generated.stderr)")
    }

    @Test func dropoutFlagsAreCheckedAndRecorded() throws {
        let work = workDirectory()
        expectFailure(try train.run(["tiny.txt", "--dropout", "1", "--out", "r"] + small, in: work), "lm-train", status: 64,
                      ["--dropout 1.0: a dropout probability must be in [0, 1)"])
        expectFailure(try train.run(["tiny.txt", "--dropout", "0.2", "--dropout-locked", "0.2", "--out", "r"] + small, in: work),
                      "lm-train", status: 64, ["--dropout and --dropout-locked exclude each other"])
        expectFailure(try train.run(["tiny.txt", "--dropout-embedding", "0.2", "--out", "r"] + small, in: work), "lm-train", status: 64,
                      ["--dropout-embedding needs --embedding"])
        #expect(!exists(work + "/r"))
        let result = try train.run(["tiny.txt", "--dropout-locked", "0.3", "--weight-drop", "0.2", "--embedding", "4", "--out", "r"] + small, in: work)
        #expect(result.status == 0, "\(result.stderr)")
        let config = try String(contentsOfFile: work + "/r/config.json", encoding: .utf8)
        for field in [#""locked":true"#, #""input":0.3"#, #""weightDrop":0.2"#] {
            #expect(config.replacingOccurrences(of: " ", with: "").contains(field), "\(field) in \(config)")
        }
    }

    @Test func anOutOfRangeFrequencyNamesTheField() throws {
        let work = workDirectory()
        #expect(try vocab.run(["build", "tiny.txt", "-o", "v.json"], in: work).status == 0)
        let text = String(decoding: contents(work + "/v.json")!, as: UTF8.self)
        let big = text.replacingOccurrences(of: "\"frequencies\" : [\n    0,", with: "\"frequencies\" : [\n    1e30,")
        #expect(big != text)
        write(Data(big.utf8), work + "/big.json")
        let result = try vocab.run(["show", "big.json"], in: work)
        expectFailure(result, "lm-vocab", ["big.json", "frequencies.0", "not a whole number"])
        #expect(!result.stderr.contains("not valid JSON"))
    }

    @Test func aShortValidationPartNamesItsOption() throws {
        let work = workDirectory()
        let split = try train.run(["tiny.txt", "--val-fraction", "0.0001", "--out", "r"] + small, in: work)
        expectFailure(split, "lm-train", ["tiny.txt", "--val-fraction"])
        write(Data("a\n".utf8), work + "/v1.txt")
        let file = try train.run(["tiny.txt", "--valid", "v1.txt", "--out", "r"] + small, in: work)
        expectFailure(file, "lm-train", ["v1.txt", "validation file holds 1 tokens"])
        let starved = try train.run(["tiny.txt", "--val-fraction", "0.99", "--batch", "32", "--steps", "35",
                                     "--hidden", "8", "--epochs", "1", "--max-tokens", "0", "--out", "r"], in: work)
        expectFailure(starved, "lm-train", ["too short", "--val-fraction 0.99 held out"])
        #expect(!exists(work + "/r"))
    }

    @Test func lmEvalErrorsNameTheFileOrTheRun() throws {
        let work = workDirectory()
        _ = try trainedRun(work)
        write(Data("a".utf8), work + "/one.txt")
        expectFailure(try eval.run(["--model", "run", "one.txt"], in: work), "lm-eval", ["one.txt", "nothing to evaluate"])
        expectFailure(try eval.run(["--model", "run", "nosuch.txt"], in: work), "lm-eval", ["nosuch.txt", "no such file"])
        expectFailure(try eval.run(["--model", "nosuch", "tiny.txt"], in: work), "lm-eval", ["nosuch"])
    }

    @Test func divergenceNamesTheBestCheckpointWhenOnlyItExists() throws {
        let work = workDirectory()
        let result = try train.run(["tiny.txt", "--epochs", "6", "--lr", "1e30", "--no-clip", "--out", "nan",
                                    "--batch", "4", "--steps", "6", "--hidden", "8", "--max-tokens", "0"], in: work)
        expectFailure(result, "lm-train", ["loss became NaN or infinite"])
        // Whichever state the run died in, the message says it truly.
        if exists(work + "/nan/checkpoints/best.safetensors") {
            #expect(result.stderr.contains("nan/checkpoints/best.safetensors"))
            #expect(!result.stderr.contains("no checkpoint was written yet"))
        } else {
            #expect(result.stderr.contains("no checkpoint was written yet"))
        }
    }

    // MARK: - Smaller gaps

    @Test func nonFiniteWeightsAreRefusedNamingTheTensor() throws {
        let work = workDirectory()
        let run = try trainedRun(work)
        var data = contents(run + "/model.safetensors")!
        let headerLength = data.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        // The first value of the first tensor in the data section becomes NaN.
        data.replaceSubrange((8 + headerLength)..<(12 + headerLength), with: withUnsafeBytes(of: Float.nan.bitPattern.littleEndian) { Data($0) })
        write(data, run + "/model.safetensors")
        let before = contents(run + "/model.safetensors")
        let result = try eval.run(["--model", "run", "tiny.txt"], in: work)
        expectFailure(result, "lm-eval", ["run/model.safetensors", "damaged", "tensor ", "nan"])
        #expect(!result.stdout.contains("perplexity"))
        expectFailure(try generate.run(["--model", "run", "--prefix", "the"], in: work), "lm-generate", ["damaged", "tensor "])
        #expect(contents(run + "/model.safetensors") == before)
    }

    @Test func encodeHonoursTheVocabularysInvalidUTF8Setting() throws {
        let work = workDirectory()
        #expect(try vocab.run(["build", "tiny.txt", "--preset", "raw", "-o", "strict.json"], in: work).status == 0)
        let strict = try run("lm-vocab", ["encode", "--vocab", "strict.json"], stdinFile: work + "/bad.txt", in: work)
        expectFailure(strict, "lm-vocab", ["<stdin>", "byte offset 2", "replaceInvalidUTF8: false"])
        #expect(strict.stdout.isEmpty)
        #expect(try vocab.run(["build", "tiny.txt", "--preset", "raw", "--replace-invalid", "-o", "lenient.json"], in: work).status == 0)
        let lenient = try run("lm-vocab", ["encode", "--vocab", "lenient.json"], stdinFile: work + "/bad.txt", in: work)
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(lenient.stdout.split(separator: " ").count == 5)   // a b U+FFFD c \n
    }

    @Test func vocabRefusesContradictingPipelineOptions() throws {
        let work = workDirectory()
        #expect(try vocab.run(["build", "tiny.txt", "-o", "v.json"], in: work).status == 0)
        for option in [["--level", "word"], ["--preset", "raw"], ["--eos"]] {
            let result = try train.run(["tiny.txt", "--vocab", "v.json", "--out", "r"] + small + option, in: work)
            expectFailure(result, "lm-train", ["v.json", option[0], "contradicts the vocabulary"])
        }
        #expect(!exists(work + "/r"))
        let agreeing = try train.run(["tiny.txt", "--vocab", "v.json", "--level", "char", "--preset", "d2l", "--out", "r"] + small, in: work)
        #expect(agreeing.status == 0, "\(agreeing.stderr)")
    }

    @Test func theLoaderRefusesNegativeCountsAndMultiCharacterTokens() throws {
        let work = workDirectory()
        #expect(try vocab.run(["build", "tiny.txt", "-o", "v.json"], in: work).status == 0)
        let text = String(decoding: contents(work + "/v.json")!, as: UTF8.self)
        let negative = text.replacingOccurrences(of: "\"frequencies\" : [\n    0,", with: "\"frequencies\" : [\n    -3,")
        write(Data(negative.utf8), work + "/negative.json")
        expectFailure(try vocab.run(["show", "negative.json"], in: work), "lm-vocab", ["negative.json", "frequencies.0", "negative"])
        let multi = text.replacingOccurrences(of: "\"<unk>\",\n    \" \"", with: "\"<unk>\",\n    \"ab\"")
        #expect(multi != text)
        write(Data(multi.utf8), work + "/multi.json")
        expectFailure(try vocab.run(["show", "multi.json"], in: work), "lm-vocab", ["multi.json", "tokens.1", "single characters"])
        let trained = try train.run(["tiny.txt", "--vocab", "multi.json", "--out", "r"] + small, in: work)
        expectFailure(trained, "lm-train", ["multi.json"])
        #expect(!exists(work + "/r"))
    }

    @Test func anEmptyCorpusWritesNoVocabulary() throws {
        let work = workDirectory()
        write(Data(), work + "/empty.txt")
        write(Data("1234 5678\n".utf8), work + "/digits.txt")
        expectFailure(try vocab.run(["build", "empty.txt", "-o", "e.json"], in: work), "lm-vocab", ["empty.txt", "no tokens"])
        expectFailure(try vocab.run(["build", "digits.txt", "-o", "d.json"], in: work), "lm-vocab", ["digits.txt", "no tokens"])
        #expect(!exists(work + "/e.json") && !exists(work + "/d.json"))
    }

    @Test func prefixFileAndStdinGiveThePrefix() throws {
        let work = workDirectory()
        _ = try trainedRun(work)
        write(Data("the time\n".utf8), work + "/prefix.txt")
        let fromArgument = try generate.run(["--model", "run", "--prefix", "the time", "--length", "5"], in: work)
        let fromFile = try generate.run(["--model", "run", "--prefix-file", "prefix.txt", "--length", "5"], in: work)
        let fromStdin = try generate.run(["--model", "run", "--prefix-file", "-", "--length", "5"], input: "the time\n", in: work)
        #expect(fromArgument.status == 0, "\(fromArgument.stderr)")
        #expect(fromFile.status == 0 && fromStdin.status == 0, "\(fromFile.stderr)\(fromStdin.stderr)")
        #expect(fromFile.stdout == fromArgument.stdout && fromStdin.stdout == fromArgument.stdout)
        expectFailure(try generate.run(["--model", "run", "--prefix", "a", "--prefix-file", "prefix.txt"], in: work),
                      "lm-generate", status: 64, ["--prefix or --prefix-file, not both"])
        expectFailure(try generate.run(["--model", "run"], in: work), "lm-generate", status: 64, ["--prefix-file"])
        expectFailure(try generate.run(["--model", "run", "--prefix-file", "nosuch.txt"], in: work), "lm-generate", ["nosuch.txt", "no such file"])
    }
}
