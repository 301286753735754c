import Foundation
import Testing

/// Issue 13, items 1, 4 and 6, on the built `lm-train`: a run directory has one owner, only
/// LMKit's files are overwritten or deleted, crash debris is cleaned, and a run killed at any
/// moment resumes to the same weights as a straight run.
@Suite struct RunDirectorySafetyTests {
    let train = Tool(name: "lm-train")
    let small = ["--batch", "4", "--steps", "6", "--hidden", "8", "--max-tokens", "0", "--checkpoint-every", "1"]

    /// A directory holding `tiny.txt`, a few thousand characters of English-like text.
    func workDirectory(lines: Int = 120) -> String {
        Tool.tinyCorpusDirectory(lines: lines)
    }

    /// Every file under `directory` (hidden ones included) with its bytes, by relative path.
    func snapshot(_ directory: String) -> [String: Data] {
        var files: [String: Data] = [:]
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return files }
        for case let name as String in enumerator {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[name] = FileManager.default.contents(atPath: directory + "/" + name) ?? Data()
            }
        }
        return files
    }

    func names(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Temporaries a write leaves when killed (AtomicFile's `.<name>.tmp-<pid>`, Foundation's
    /// `.dat.nosync…`, markLatest's `.latest-<pid>`): every hidden entry but the lock file.
    func temporaries(_ directories: String...) -> [String] {
        directories.flatMap { directory in names(directory).filter { $0.hasPrefix(".") && $0 != ".lock" } }
    }

    // MARK: - Item 1: one owner per run directory

    @Test func aSecondTrainerOnAnOwnedDirectoryStopsAndTouchesNothing() throws {
        let work = workDirectory()
        let first = try train.run(["tiny.txt", "--epochs", "2", "--out", "runs/a"] + small, in: work)
        #expect(first.status == 0, "\(first.stderr)")
        // Own the directory from this process, as a running trainer would.
        let lock = open(work + "/runs/a/.lock", O_RDWR)
        try #require(lock >= 0)
        defer { close(lock) }
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        let pid = Int32(123_456)
        _ = ftruncate(lock, 0)
        _ = "\(pid)\n".withCString { pwrite(lock, $0, strlen($0), 0) }
        let before = snapshot(work)
        for mode in [[], ["--overwrite"], ["--resume"], ["--resume-from", "best"]] {
            let second = try train.run(["tiny.txt", "--epochs", "3", "--out", "runs/a"] + small + mode, in: work)
            #expect(second.status == 1, "\(mode)")
            #expect(second.stderr == "lm-train: runs/a is in use by another lm-train (pid \(pid)); wait for it to finish, or choose another --out\n", "\(mode)")
            #expect(snapshot(work) == before, "\(mode)")
        }
    }

    @Test func overwriteOfARunningTrainersDirectoryIsRefused() throws {
        let work = workDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tool.productsDirectory + "/lm-train")
        process.arguments = ["tiny.txt", "--epochs", "100000", "--out", "runs/busy"] + small
        process.currentDirectoryURL = URL(fileURLWithPath: work)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !FileManager.default.fileExists(atPath: work + "/runs/busy/log.jsonl") { usleep(20_000) }
        let started = Date()
        let second = try train.run(["tiny.txt", "--epochs", "2", "--out", "runs/busy", "--overwrite"] + small + ["--hidden", "24"], in: work)
        #expect(second.status == 1)
        #expect(second.stderr == "lm-train: runs/busy is in use by another lm-train (pid \(process.processIdentifier)); wait for it to finish, or choose another --out\n")
        #expect(Date().timeIntervalSince(started) < 10)   // at once, not after building anything
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        // The first run is whole: its config still describes its weights, and it resumes.
        let config = try String(contentsOfFile: work + "/runs/busy/config.json", encoding: .utf8)
        #expect(config.contains("\"hiddenSize\" : 8"))
        let resumed = try train.run(["tiny.txt", "--epochs", "1", "--out", "runs/busy", "--resume"] + small, in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
    }

    // MARK: - Item 4: only LMKit's files are overwritten or deleted

    @Test func outIntoAFolderThatIsNotARunIsRefused() throws {
        let work = workDirectory()
        try FileManager.default.createDirectory(atPath: work + "/mine/checkpoints", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: work + "/mine/notes.txt", contents: Data("my notes\n".utf8))
        FileManager.default.createFile(atPath: work + "/mine/model.safetensors", contents: Data("not LMKit's\n".utf8))
        let before = snapshot(work)
        for mode in [[], ["--overwrite"]] {
            let result = try train.run(["tiny.txt", "--epochs", "1", "--out", "mine"] + small + mode, in: work)
            #expect(result.status == 1, "\(mode)")
            #expect(result.stderr == "lm-train: mine is not empty and is not an LMKit run (no LMKit config.json); it holds model.safetensors, notes.txt; choose another --out\n", "\(mode)")
            #expect(snapshot(work) == before, "\(mode)")
        }
        // An empty folder is fine.
        try FileManager.default.createDirectory(atPath: work + "/empty", withIntermediateDirectories: true)
        #expect(try train.run(["tiny.txt", "--epochs", "1", "--out", "empty"] + small, in: work).status == 0)
    }

    @Test func overwriteDeletesOnlyTheFilesLMKitWrote() throws {
        let work = workDirectory()
        let first = try train.run(["tiny.txt", "--epochs", "4", "--keep", "10", "--out", "runs/o"] + small, in: work)
        #expect(first.status == 0, "\(first.stderr)")
        let notes = ["checkpoints/notes.txt": Data("why epoch 3 looked odd\n".utf8), "README.md": Data("# my run\n".utf8)]
        for (name, data) in notes { FileManager.default.createFile(atPath: work + "/runs/o/" + name, contents: data) }
        let second = try train.run(["tiny.txt", "--epochs", "2", "--out", "runs/o", "--overwrite"] + small, in: work)
        #expect(second.status == 0, "\(second.stderr)")
        let after = snapshot(work + "/runs/o")
        for (name, data) in notes { #expect(after[name] == data, "\(name)") }
        #expect(names(work + "/runs/o/checkpoints") == ["best.safetensors", "epoch-000001.safetensors", "epoch-000002.safetensors", "notes.txt"])

        // A file under a checkpoint's name that LMKit did not write stops --overwrite before anything is deleted.
        FileManager.default.createFile(atPath: work + "/runs/o/checkpoints/epoch-000099.safetensors", contents: Data("a user's file\n".utf8))
        // The refusing trainer owned the directory meanwhile: .lock holds its PID now, nothing else changed.
        let before = snapshot(work).filter { !$0.key.hasSuffix("/.lock") }
        let refused = try train.run(["tiny.txt", "--epochs", "2", "--out", "runs/o", "--overwrite"] + small, in: work)
        #expect(refused.status == 1)
        #expect(refused.stderr == "lm-train: runs/o: checkpoints/epoch-000099.safetensors was not written by LMKit; move them away before --overwrite or --resume\n")
        #expect(snapshot(work).filter { !$0.key.hasSuffix("/.lock") } == before)
    }

    // MARK: - Item 6: crash debris, --keep, damaged checkpoints, best

    @Test func resumeCleansDebrisAndHoldsKeep() throws {
        let work = workDirectory()
        let first = try train.run(["tiny.txt", "--epochs", "4", "--keep", "2", "--out", "runs/d"] + small, in: work)
        #expect(first.status == 0, "\(first.stderr)")
        let run = work + "/runs/d"
        // What a kill -9 leaves: temporaries of a dead process, and a checkpoint not yet pruned.
        let dead = 999_999_999
        for path in ["\(run)/.model.safetensors.tmp-\(dead)", "\(run)/checkpoints/.epoch-000005.safetensors.tmp-\(dead)",
                     "\(run)/checkpoints/.dat.nosync1a2b.Xy12Zq",
                     "\(work)/runs/.latest-\(dead)"] {
            FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 100))
        }
        try FileManager.default.copyItem(atPath: run + "/checkpoints/epoch-000003.safetensors", toPath: run + "/checkpoints/epoch-000001.safetensors")
        let resumed = try train.run(["tiny.txt", "--epochs", "5", "--keep", "2", "--out", "runs/d", "--resume"] + small, in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(temporaries(run, run + "/checkpoints", work + "/runs").isEmpty)
        #expect(names(run + "/checkpoints") == ["best.safetensors", "epoch-000004.safetensors", "epoch-000005.safetensors"])
    }

    @Test func aSetUpKilledBeforeConfigJSONIsDebrisTheNextStartClears() throws {
        let work = workDirectory()
        #expect(try train.run(["tiny.txt", "--epochs", "1", "--out", "runs/done"] + small, in: work).status == 0)
        // What a trainer killed between writing vocab.json and config.json leaves.
        let run = work + "/runs/k"
        try FileManager.default.createDirectory(atPath: run + "/checkpoints", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: work + "/runs/done/vocab.json", toPath: run + "/vocab.json")
        FileManager.default.createFile(atPath: run + "/.config.json.tmp-999999999", contents: Data("{\"form".utf8))
        FileManager.default.createFile(atPath: run + "/.lock", contents: Data("999999999\n".utf8))
        let again = try train.run(["tiny.txt", "--epochs", "1", "--out", "runs/k"] + small, in: work)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(temporaries(run, run + "/checkpoints").isEmpty)
        #expect(FileManager.default.contents(atPath: run + "/model.safetensors") == FileManager.default.contents(atPath: work + "/runs/done/model.safetensors"))
        // Without LMKit's lock file beside it, the same vocab.json is a user's file, left alone.
        try FileManager.default.createDirectory(atPath: work + "/mine", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: work + "/runs/done/vocab.json", toPath: work + "/mine/vocab.json")
        let refused = try train.run(["tiny.txt", "--epochs", "1", "--out", "mine"] + small, in: work)
        #expect(refused.status == 1)
        #expect(refused.stderr == "lm-train: mine is not empty and is not an LMKit run (no LMKit config.json); it holds vocab.json; choose another --out\n")
    }

    @Test func resumeSkipsADamagedCheckpointAndSaysWhy() throws {
        let work = workDirectory()
        #expect(try train.run(["tiny.txt", "--epochs", "6", "--out", "runs/straight"] + small, in: work).status == 0)
        #expect(try train.run(["tiny.txt", "--epochs", "4", "--out", "runs/r"] + small, in: work).status == 0)
        let newest = work + "/runs/r/checkpoints/epoch-000004.safetensors"
        let data = try #require(FileManager.default.contents(atPath: newest))
        FileManager.default.createFile(atPath: newest, contents: data.prefix(data.count / 2))
        let resumed = try train.run(["tiny.txt", "--epochs", "6", "--out", "runs/r", "--resume"] + small, in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("skipped runs/r/checkpoints/epoch-000004.safetensors: not a valid safetensors file: "))
        #expect(resumed.stdout.contains("(set aside as epoch-000004.safetensors.damaged)"))
        #expect(resumed.stdout.contains("resuming from runs/r/checkpoints/epoch-000003.safetensors (epoch 3 done)"))
        let straight = FileManager.default.contents(atPath: work + "/runs/straight/model.safetensors")
        #expect(straight != nil && straight == FileManager.default.contents(atPath: work + "/runs/r/model.safetensors"))
    }

    @Test func resumeFromBestContinuesFromBestAndDropsLaterCheckpoints() throws {
        let work = workDirectory()
        #expect(try train.run(["tiny.txt", "--epochs", "4", "--keep", "5", "--out", "runs/b"] + small, in: work).status == 0)
        let checkpoints = work + "/runs/b/checkpoints"
        // Make epoch 2 the best, as a run whose validation perplexity rose afterwards has it.
        try FileManager.default.removeItem(atPath: checkpoints + "/best.safetensors")
        try FileManager.default.copyItem(atPath: checkpoints + "/epoch-000002.safetensors", toPath: checkpoints + "/best.safetensors")
        let resumed = try train.run(["tiny.txt", "--epochs", "3", "--keep", "5", "--out", "runs/b", "--resume-from", "best"] + small, in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming from runs/b/checkpoints/best.safetensors (epoch 2 done)"))
        #expect(resumed.stdout.contains("deleted runs/b/checkpoints/epoch-000004.safetensors: it continues past best.safetensors (epoch 2)"))
        #expect(names(checkpoints).filter { $0.hasPrefix("epoch-") } == ["epoch-000001.safetensors", "epoch-000002.safetensors", "epoch-000003.safetensors"])
        // Without a best there is nothing to resume from; one line says so.
        try FileManager.default.removeItem(atPath: checkpoints + "/best.safetensors")
        let missing = try train.run(["tiny.txt", "--epochs", "4", "--out", "runs/b", "--resume-from", "best"] + small, in: work)
        #expect(missing.status == 1)
        #expect(missing.stderr == "lm-train: cannot resume: runs/b/checkpoints/best.safetensors does not exist; resume without --resume-from best\n")
    }

    // MARK: - Crash consistency

    /// SplitMix64: the kill moments are the same on every run of the test.
    struct Moments {
        var state: UInt64
        mutating func next(below limit: Double) -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53) * limit
        }
    }

    @Test func aRunKilledAtAnyMomentResumesToTheStraightRunsWeights() throws {
        let work = workDirectory()
        let keep = 2
        let arguments = ["tiny.txt", "--epochs", "12", "--keep", String(keep)] + small
        let started = Date()
        let straight = try train.run(arguments + ["--out", "runs/straight"], in: work)
        #expect(straight.status == 0, "\(straight.stderr)")
        let duration = Date().timeIntervalSince(started)
        let expected = try #require(FileManager.default.contents(atPath: work + "/runs/straight/model.safetensors"))
        var moments = Moments(state: 13)
        for trial in 0..<20 {
            let run = work + "/runs/k"
            try? FileManager.default.removeItem(atPath: run)
            let moment = moments.next(below: duration)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Tool.productsDirectory + "/lm-train")
            process.arguments = arguments + ["--out", "runs/k"]
            process.currentDirectoryURL = URL(fileURLWithPath: work)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(moment * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // As a user would: --resume once the run exists, else the first command again.
            var finished = false
            for _ in 0..<3 where !finished {
                let resume = FileManager.default.fileExists(atPath: run + "/config.json")
                let result = try train.run(arguments + ["--out", "runs/k"] + (resume ? ["--resume"] : []), in: work)
                #expect(result.status == 0, "trial \(trial), killed at \(moment) s: \(result.stderr)")
                finished = result.status == 0
            }
            let label = "trial \(trial), killed at \(String(format: "%.3f", moment)) s: \(names(run)), \(names(run + "/checkpoints"))"
            #expect(FileManager.default.contents(atPath: run + "/model.safetensors") == expected, "\(label)")
            #expect(temporaries(run, run + "/checkpoints", work + "/runs").isEmpty, "\(label)")
            let regular = names(run + "/checkpoints").filter { $0.hasPrefix("epoch-") }
            #expect(regular.count <= keep && names(run + "/checkpoints").count <= keep + 1, "\(label)")
        }
    }
}
