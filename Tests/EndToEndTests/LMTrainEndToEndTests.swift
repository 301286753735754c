import Foundation
import Testing

/// `lm-train` and `lm-eval` run as a user would, on a small generated corpus and a tiny model.
@Suite struct LMTrainEndToEndTests {
    let train = Tool(name: "lm-train")
    let small = ["--batch", "4", "--steps", "6", "--hidden", "16", "--max-tokens", "0", "--checkpoint-every", "2"]

    /// A directory holding `tiny.txt`, a few thousand characters of English-like text.
    func workDirectory(lines: Int = 50) -> String {
        Tool.tinyCorpusDirectory(lines: lines)
    }

    func weights(_ path: String) -> Data? { FileManager.default.contents(atPath: path + "/model.safetensors") }

    @Test func tenEpochsEqualFivePlusResumedFiveByteForByte() throws {
        let work = workDirectory()
        let straight = try train.run(["tiny.txt", "--epochs", "10", "--out", "runs/a"] + small, in: work)
        #expect(straight.status == 0, "\(straight.stderr)")
        #expect(straight.stdout.contains("done: 10 epochs"))
        let first = try train.run(["tiny.txt", "--epochs", "5", "--out", "runs/b"] + small, in: work)
        #expect(first.status == 0, "\(first.stderr)")
        let resumed = try train.run(["tiny.txt", "--epochs", "10", "--out", "runs/b", "--resume"] + small, in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming from runs/b/checkpoints/epoch-000005.safetensors (epoch 5 done)"))
        #expect(weights(work + "/runs/a") != nil && weights(work + "/runs/a") == weights(work + "/runs/b"))
        // The run directory holds everything, and runs/latest points at the newest run.
        for file in ["config.json", "vocab.json", "model.safetensors", "log.jsonl", "curve.svg", "checkpoints/best.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: work + "/runs/b/" + file), "\(file)")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: work + "/runs/latest") == "b")
        let eval = try Tool(name: "lm-eval").run(["tiny.txt"], in: work)
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout.contains("perplexity:") && eval.stdout.contains("bits per char:"))
    }

    /// `--time-budget` is recorded in config.json; not reached, the run ends on its epochs as
    /// it would without it.
    @Test func aTimeBudgetNotReachedEndsTheRunOnItsEpochs() throws {
        let work = workDirectory()
        let result = try train.run(["tiny.txt", "--epochs", "2", "--time-budget", "600", "--lr-schedule", "cosine", "--out", "r"] + small, in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("done: 2 epochs") && !result.stdout.contains("time budget"), "\(result.stdout)")
        let config = String(decoding: FileManager.default.contents(atPath: work + "/r/config.json") ?? Data(), as: UTF8.self)
        #expect(config.contains("\"timeBudget\" : 600") && config.contains("cosine"), "\(config)")
    }

    @Test func sigintWritesACheckpointThatResumeContinues() throws {
        let work = workDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Tool.productsDirectory + "/lm-train")
        process.arguments = ["tiny.txt", "--epochs", "100000", "--out", "runs/long"] + small
        process.currentDirectoryURL = URL(fileURLWithPath: work)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait for training to be under way (the first epoch's log line), then interrupt.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline && !FileManager.default.fileExists(atPath: work + "/runs/long/log.jsonl") { usleep(20_000) }
        process.interrupt()
        // Never hang the suite: a run that ignores the signal is killed and the test fails.
        let exitDeadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < exitDeadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 130)
        #expect(text.contains("SIGINT: stopped after the current step; checkpoint runs/long/checkpoints/epoch-"))
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: work + "/runs/long/checkpoints")
        #expect(checkpoints.contains { $0.hasPrefix("epoch-") })
        let resumed = try train.run(["tiny.txt", "--epochs", "2", "--out", "runs/long", "--resume"] + small, in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming from runs/long/checkpoints/epoch-"))
    }

    @Test func divergenceIsAClearErrorAndKeepsTheLastCheckpoint() throws {
        let work = workDirectory()
        let result = try train.run(["tiny.txt", "--epochs", "5", "--lr", "1e30", "--no-clip", "--out", "runs/nan"] + small, in: work)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("lm-train: loss became NaN or infinite at epoch "))
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test func resumingWithADifferentConfigurationIsRefused() throws {
        let work = workDirectory()
        #expect(try train.run(["tiny.txt", "--epochs", "2", "--out", "runs/c"] + small, in: work).status == 0)
        let mismatch = try train.run(["tiny.txt", "--epochs", "4", "--out", "runs/c", "--resume"] + small + ["--hidden", "32"], in: work)
        #expect(mismatch.status == 1)
        #expect(mismatch.stderr.contains("cannot resume: the settings differ from the checkpoint's in runs/c/config.json: --hidden was 16, now 32"))
        let again = try train.run(["tiny.txt", "--epochs", "2", "--out", "runs/c"] + small, in: work)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a run; pass --resume"))
    }

    @Test func tooShortCorpusSaysWhatWouldFit() throws {
        let work = workDirectory(lines: 2)
        let result = try train.run(["tiny.txt", "--epochs", "1", "--out", "runs/short"], in: work)
        #expect(result.status == 1)
        #expect(result.stderr.contains("too short for sequential batches of 32 × 35 steps"))
        #expect(result.stderr.contains("would fit") || result.stderr.contains("batch size"))
        #expect(!FileManager.default.fileExists(atPath: work + "/runs/short"))
    }
}
