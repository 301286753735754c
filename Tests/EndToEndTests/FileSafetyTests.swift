import Foundation
import Testing

/// Issue 30, part A, on the built tools: an output never replaces an input or a run's own file;
/// links are never followed where a file is created or replaced; SIGPIPE and SIGHUP stop
/// training with a checkpoint as SIGTERM does; and the messages of a few failures are true.
@Suite struct FileSafetyTests {
    let train = Tool(name: "lm-train")
    let small = ["--batch", "4", "--steps", "6", "--hidden", "8", "--max-tokens", "0", "--checkpoint-every", "1"]

    /// Every file under `directory` (hidden ones and links included) with its bytes, by relative path.
    func snapshot(_ directory: String) -> [String: Data] {
        var files: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return files }
        for case let name as String in enumerator {
            let path = directory + "/" + name
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                files[name] = Data(("link to " + target).utf8)
                continue
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[name] = FileManager.default.contents(atPath: path) ?? Data()
            }
        }
        return files
    }

    /// Expects exit status 1 and one line on stderr, `<tool>: `, holding every key word.
    func expectFailure(_ result: Tool.Result, _ tool: String, _ words: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("\(tool): "), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        for word in words { #expect(result.stderr.contains(word), "\(word) not in \(result.stderr)", sourceLocation: sourceLocation) }
    }

    /// A directory holding `f.txt` and a trained run in `run`.
    func trainedRun() throws -> String {
        let work = Tool.tinyCorpusDirectory(lines: 120)
        try FileManager.default.moveItem(atPath: work + "/tiny.txt", toPath: work + "/f.txt")
        let result = try train.run(["f.txt", "--epochs", "1", "--out", "run"] + small, in: work)
        #expect(result.status == 0, "\(result.stderr)")
        return work
    }

    // MARK: - Outputs never overwrite inputs

    @Test func anOutputThatIsAnInputOrARunsFileIsRefusedAndNothingIsWritten() throws {
        let work = try trainedRun()
        #expect(link(work + "/f.txt", work + "/hard.txt") == 0)
        #expect(symlink("f.txt", work + "/link.txt") == 0)
        let before = snapshot(work)
        let cases: [(tool: String, arguments: [String], output: String)] = [
            ("lm-eval", ["--model", "run", "--logits", "run/model.safetensors", "f.txt"], "run/model.safetensors"),
            ("lm-eval", ["--model", "run", "--logits", "./run/checkpoints/best.safetensors", "f.txt"], "./run/checkpoints/best.safetensors"),
            ("lm-convert", ["export", "--format", "pytorch", "run", "run/model.safetensors"], "run/model.safetensors"),
            ("lm-convert", ["vocab", "--format", "hf", "run/vocab.json", "run/vocab.json"], "run/vocab.json"),
            ("lm-vocab", ["build", "f.txt", "--output", "f.txt"], "f.txt"),
            ("lm-vocab", ["build", "f.txt", "--output", "hard.txt"], "hard.txt"),
            ("lm-eval", ["--model", "run", "--logits", "f.txt", "f.txt"], "f.txt"),
            ("lm-eval", ["--model", "run", "--logits", "link.txt", "./f.txt"], "link.txt"),
        ]
        for (tool, arguments, output) in cases {
            let result = try Tool(name: tool).run(arguments, in: work)
            expectFailure(result, tool, ["\(output): cannot write the output there", "choose another output file"])
            #expect(snapshot(work) == before, "\(tool) \(arguments)")
        }
    }

    @Test func aTrainingInputThatIsOneOfTheRunsOwnFilesIsRefused() throws {
        let work = try trainedRun()
        let before = snapshot(work)
        let cases: [(arguments: [String], words: [String])] = [
            (["run/config.json", "--out", "run", "--overwrite"], ["CORPUS run/config.json is run/config.json", "a file of the run directory run", "--out"]),
            (["f.txt", "--vocab", "./run/vocab.json", "--out", "run", "--overwrite"], ["--vocab ./run/vocab.json", "run directory run"]),
            (["f.txt", "--valid", "run/log.jsonl", "--out", "run", "--overwrite"], ["--valid run/log.jsonl", "run directory run"]),
        ]
        for (arguments, words) in cases {
            let result = try train.run(arguments + ["--epochs", "1"] + small, in: work)
            expectFailure(result, "lm-train", words)
            // The refused trainer held the run's lock (its PID is in .lock); nothing else changed.
            var after = snapshot(work)
            after["run/.lock"] = before["run/.lock"]
            #expect(after == before, "\(arguments)")
        }
    }

    // MARK: - Links

    @Test func aLockFileThatIsALinkIsRefusedAndItsTargetKept() throws {
        let work = try trainedRun()
        _ = FileManager.default.createFile(atPath: work + "/victim", contents: Data("precious\n".utf8))
        #expect(unlink(work + "/run/.lock") == 0)
        #expect(symlink("../victim", work + "/run/.lock") == 0)
        let before = snapshot(work)
        let result = try train.run(["f.txt", "--epochs", "2", "--out", "run", "--resume"] + small, in: work)
        expectFailure(result, "lm-train", ["run/.lock: the run's lock file is a symbolic link", "remove the link"])
        #expect(snapshot(work) == before)
    }

    @Test func aUsersFileNamedLatestIsNeverReplaced() throws {
        let work = Tool.tinyCorpusDirectory(lines: 120)
        try FileManager.default.createDirectory(atPath: work + "/runs", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: work + "/runs/latest", contents: Data("mine\n".utf8))
        let result = try train.run(["tiny.txt", "--epochs", "1", "--out", "runs/a"] + small, in: work)
        expectFailure(result, "lm-train", ["runs/latest: is a file, not the link LMKit keeps to the newest run", "--out"])
        #expect(FileManager.default.contents(atPath: work + "/runs/latest") == Data("mine\n".utf8))
        #expect(!FileManager.default.fileExists(atPath: work + "/runs/a"))   // refused before anything was made
    }

    @Test func resumingThroughTheLatestLinkKeepsItOnTheRun() throws {
        let work = Tool.tinyCorpusDirectory(lines: 120)
        #expect(try train.run(["tiny.txt", "--epochs", "1", "--out", "runs/b"] + small, in: work).status == 0)
        let resumed = try train.run(["tiny.txt", "--epochs", "2", "--out", "runs/latest", "--resume"] + small, in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: work + "/runs/latest") == "b")
        #expect(FileManager.default.fileExists(atPath: work + "/runs/b/checkpoints/epoch-000002.safetensors"))
    }

    // MARK: - Signals

    /// Starts lm-train for many epochs in `work`, its stdout a pipe the test reads.
    func startLongRun(_ work: String, out: String, epochs: Int) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tool.productsDirectory + "/lm-train")
        process.arguments = ["tiny.txt", "--epochs", String(epochs), "--out", out] + small
        process.currentDirectoryURL = URL(fileURLWithPath: work)
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        return (process, output, error)
    }

    /// Waits for `process` to end (killing it after a minute, so the suite never hangs).
    func finish(_ process: Process) {
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The run in `work/out` has a checkpoint, and `--resume` continues from it.
    func expectResumable(_ work: String, out: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let checkpoints = (try? FileManager.default.contentsOfDirectory(atPath: work + "/\(out)/checkpoints")) ?? []
        #expect(checkpoints.contains { $0.hasPrefix("epoch-") }, "\(checkpoints)", sourceLocation: sourceLocation)
        let resumed = try train.run(["tiny.txt", "--epochs", "60", "--out", out, "--resume"] + small, in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)", sourceLocation: sourceLocation)
        #expect(resumed.stdout.contains("resuming from \(out)/checkpoints/epoch-"), sourceLocation: sourceLocation)
    }

    @Test func aReaderThatLeavesStopsTrainingWithACheckpoint() throws {
        let work = Tool.tinyCorpusDirectory(lines: 120)
        let (process, output, error) = try startLongRun(work, out: "runs/pipe", epochs: 50)
        // As `lm-train … | head -3`: read the first epoch's line, then leave.
        var seen = Data()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !String(decoding: seen, as: UTF8.self).contains("epoch 1/") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        try output.fileHandleForReading.close()
        finish(process)
        let stderr = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 141, "\(process.terminationReason) \(stderr)")
        #expect(stderr.contains("SIGPIPE: stopped after the current step; checkpoint runs/pipe/checkpoints/epoch-"), "\(stderr)")
        try expectResumable(work, out: "runs/pipe")
    }

    @Test func aHangUpStopsTrainingWithACheckpoint() throws {
        let work = Tool.tinyCorpusDirectory(lines: 120)
        let (process, output, _) = try startLongRun(work, out: "runs/hup", epochs: 100_000)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !FileManager.default.fileExists(atPath: work + "/runs/hup/log.jsonl") { usleep(20_000) }
        kill(process.processIdentifier, SIGHUP)
        finish(process)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationReason == .exit && process.terminationStatus == 129)
        #expect(text.contains("SIGHUP: stopped after the current step; checkpoint runs/hup/checkpoints/epoch-"), "\(text)")
        try expectResumable(work, out: "runs/hup")
    }

    // MARK: - True messages

    @Test func anInfiniteClipIsASettingsErrorAndMakesNothing() throws {
        let work = Tool.tinyCorpusDirectory(lines: 120)
        let result = try train.run(["tiny.txt", "--epochs", "1", "--clip", "inf", "--out", "runs/inf"] + small, in: work)
        expectFailure(result, "lm-train", ["--clip must be positive and finite (got inf)"])
        #expect(!FileManager.default.fileExists(atPath: work + "/runs"))
    }

    @Test func anEmptyOutSaysSo() throws {
        let work = Tool.tinyCorpusDirectory(lines: 120)
        let result = try train.run(["tiny.txt", "--epochs", "1", "--out", ""] + small, in: work)
        expectFailure(result, "lm-train", ["--out is empty"])
        let toy = try train.run(["toy", "counting", "--epochs", "1", "--out", ""], in: work)
        #expect(toy.status != 0 && toy.stderr.contains("--out is empty"), "\(toy.stderr)")
    }

    @Test func devNullAsPrefixFileIsEmptyNotForbidden() throws {
        let work = try trainedRun()
        let result = try Tool(name: "lm-generate").run(["--model", "run", "--prefix-file", "/dev/null"], in: work)
        expectFailure(result, "lm-generate", ["/dev/null: the prefix file is empty"])
    }

    @Test func aLongLegalOutputNameIsWritten() throws {
        let work = try trainedRun()
        let name = String(repeating: "v", count: 245) + ".json"   // 250 bytes
        let result = try Tool(name: "lm-vocab").run(["build", "f.txt", "--output", name], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: work + "/" + name))
    }

    @Test func aBrokenRegistryDoesNotBlockTrainingOnAPlainFile() throws {
        let work = Tool.tinyCorpusDirectory(lines: 120)
        _ = FileManager.default.createFile(atPath: work + "/registry.json", contents: Data("{broken".utf8))
        let environment = ["LM_CORPUS_REGISTRY": work + "/registry.json"]
        let result = try train.run(["tiny.txt", "--epochs", "1", "--out", "runs/plain"] + small, in: work, environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let named = try train.run(["timemachine", "--epochs", "1", "--out", "runs/named"] + small, in: work, environment: environment)
        expectFailure(named, "lm-train", ["registry.json: not a corpus registry"])
    }
}
