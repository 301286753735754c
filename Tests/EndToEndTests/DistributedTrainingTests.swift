import Foundation
import LMModelFiles
import Testing

/// `mpirun -np 2 lm-train` on loopback, as a user runs it: the two ranks train the weights one
/// process trains on the whole batch, resume exactly (with the same or another number of
/// processes), and a rank that dies ends the job quickly with the last checkpoint intact.
/// Needs Open MPI (bin/setup installs it); on CI its absence fails the suite.
@Suite(.serialized) struct DistributedTrainingTests {
    let train = Tool(name: "lm-train")
    /// A small model with dropout at every place it has: embedding output, between the two
    /// layers and on the top output, so the masks must be drawn by the stream's global index.
    let small = ["--embedding", "16", "--layers", "2", "--hidden", "24", "--batch", "32", "--steps", "5",
                 "--max-tokens", "0", "--val-fraction", "0.1", "--dropout", "0.3", "--checkpoint-every", "1"]
    /// Lines of the tiny corpus: with --val-fraction 0.1, 10 windows of 32 × 5 per epoch.
    static let lines = 40

    /// Open MPI's launcher, or nil (then each test is skipped, except on CI where it fails).
    static let mpirun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs lm-train under `mpirun -np ranks` (on loopback, more ranks than cores allowed, as root too).
    func mpi(_ ranks: Int, _ arguments: [String], in work: String) throws -> Tool.Result {
        let mpirun = try #require(Self.mpirun, "Open MPI is not installed: run bin/setup")
        return try Tool.launch(mpirun, ["--oversubscribe", "--bind-to", "none", "-np", String(ranks), try train.path()] + arguments,
                               in: work, environment: Self.mpiEnvironment)
    }

    static let mpiEnvironment = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_rmaps_base_oversubscribe": "1"]

    static var available: Bool { mpirun != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    /// The largest |a − b| over the largest |b| of any tensor of two weight files, and the tensor.
    func relativeDifference(_ a: String, _ b: String) throws -> (value: Double, tensor: String) {
        let x = try SafeTensors.read(from: a).tensors, y = try SafeTensors.read(from: b).tensors
        #expect(x.map(\.name) == y.map(\.name) && x.map(\.shape) == y.map(\.shape))
        var worst = (value: 0.0, tensor: "")
        for (p, q) in zip(x, y) {
            let scale = q.values.map { abs(Double($0)) }.max() ?? 0
            let difference = zip(p.values, q.values).map { abs(Double($0) - Double($1)) }.max() ?? 0
            let relative = scale == 0 ? difference : difference / scale
            if relative > worst.value { worst = (relative, p.name) }
        }
        return worst
    }

    /// The last epoch's validation perplexity in a run's log.
    func validation(_ run: String) throws -> Double {
        let log = try String(contentsOfFile: run + "/log.jsonl", encoding: .utf8)
        let line = try #require(log.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        return try #require(object["val_ppl"] as? Double)
    }

    @Test(.enabled(if: available), arguments: [["--model", "rnn"], ["--model", "gru", "--sampler", "random"],
                                               ["--model", "lstm", "--sampler", "parallel", "--weight-drop", "0.2", "--dropout-embedding", "0.1"]])
    func twoRanksOfSixteenStreamsTrainTheWeightsOfOneProcessWithThirtyTwo(model: [String]) throws {
        let work = Tool.tinyCorpusDirectory(lines: Self.lines)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let arguments = ["tiny.txt", "--epochs", "2"] + small + model
        let one = try train.run(arguments + ["--out", "one", "--threads", "1"], in: work)
        #expect(one.status == 0, "\(one.stderr)")
        let two = try mpi(2, arguments + ["--out", "two", "--threads", "1"], in: work)
        #expect(two.status == 0, "\(two.stderr)")
        // 2 epochs of 10 windows: 20 steps.
        #expect(try String(contentsOfFile: work + "/one/log.jsonl", encoding: .utf8).split(separator: "\n").count == 2)
        let difference = try relativeDifference(work + "/two/model.safetensors", work + "/one/model.safetensors")
        #expect(difference.value < 1e-5, "\(model): \(difference.tensor) differs by \(difference.value) relative")
        let (v1, v2) = (try validation(work + "/one"), try validation(work + "/two"))
        #expect(abs(v1 - v2) / v1 < 1e-5, "validation perplexity \(v2) with 2 ranks, \(v1) with one process")
        // Rank 0 alone wrote the run; it reported once.
        #expect(two.stdout.components(separatedBy: "done: 2 epochs").count == 2, "\(two.stdout)")
    }

    @Test(.enabled(if: available)) func aTwoRankRunResumesExactlyWithTwoRanksAndWithinRoundingWithOneAndBack() throws {
        let work = Tool.tinyCorpusDirectory(lines: Self.lines)
        defer { try? FileManager.default.removeItem(atPath: work) }
        // Adam's moments and the parallel sampler's carried state must both cross the checkpoint.
        let arguments = ["tiny.txt"] + small + ["--model", "lstm", "--sampler", "parallel", "--optimizer", "adam", "--lr", "0.01", "--threads", "1"]
        let straight = try mpi(2, arguments + ["--epochs", "3", "--out", "straight"], in: work)
        #expect(straight.status == 0, "\(straight.stderr)")
        let first = try mpi(2, arguments + ["--epochs", "1", "--out", "split"], in: work)
        #expect(first.status == 0, "\(first.stderr)")
        try FileManager.default.copyItem(atPath: work + "/split", toPath: work + "/other")
        let resumed = try mpi(2, arguments + ["--epochs", "3", "--out", "split", "--resume"], in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(FileManager.default.contents(atPath: work + "/split/model.safetensors")
                == FileManager.default.contents(atPath: work + "/straight/model.safetensors"),
                "2 ranks: 1 + 2 resumed epochs differ from 3 straight")
        // The checkpoint holds the whole batch's state: one process continues it too.
        let single = try train.run(arguments + ["--epochs", "3", "--out", "other", "--resume"], in: work)
        #expect(single.status == 0, "\(single.stderr)")
        let difference = try relativeDifference(work + "/other/model.safetensors", work + "/straight/model.safetensors")
        #expect(difference.value < 1e-5, "resumed with one process: \(difference.tensor) differs by \(difference.value) relative")
        // And the other way: a one-process checkpoint continued by two ranks.
        let alone = try train.run(arguments + ["--epochs", "1", "--out", "alone"], in: work)
        #expect(alone.status == 0, "\(alone.stderr)")
        let joined = try mpi(2, arguments + ["--epochs", "3", "--out", "alone", "--resume"], in: work)
        #expect(joined.status == 0, "\(joined.stderr)")
        let again = try relativeDifference(work + "/alone/model.safetensors", work + "/straight/model.safetensors")
        #expect(again.value < 1e-5, "one process, resumed with two: \(again.tensor) differs by \(again.value) relative")
    }

    @Test(.enabled(if: available)) func aRankKilledMidRunEndsTheJobWithinTenSecondsAndTheLastCheckpointResumes() throws {
        let work = Tool.tinyCorpusDirectory(lines: Self.lines)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let arguments = ["tiny.txt"] + small + ["--model", "lstm", "--threads", "1"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.mpirun))
        process.arguments = ["--oversubscribe", "--bind-to", "none", "-np", "2", try train.path()] + arguments + ["--epochs", "100000", "--out", "run"]
        process.currentDirectoryURL = URL(fileURLWithPath: work)
        process.environment = ProcessInfo.processInfo.environment.merging(Self.mpiEnvironment) { $1 }
            .merging(["LM_CORPUS_REGISTRY": Tool.repository + "/corpora/registry.json"]) { $1 }
        let stderr = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()
        nonisolated(unsafe) var errorData = Data()
        let reader = Thread { errorData = stderr.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        // Wait for a few checkpoints, then kill rank 1 (found by the rank mpirun gave it).
        let checkpoints = work + "/run/checkpoints"
        var waited = 0
        while ((try? FileManager.default.contentsOfDirectory(atPath: checkpoints))?.filter { $0.hasPrefix("epoch-") }.count ?? 0) < 2 && waited < 600 {
            usleep(100_000); waited += 1
        }
        let rank1 = try #require(Self.processes(under: process.processIdentifier).first { Self.environment(of: $0)["OMPI_COMM_WORLD_RANK"] == "1" },
                                 "no rank 1 under mpirun")
        kill(rank1, SIGKILL)
        let killed = Date()
        while process.isRunning && Date().timeIntervalSince(killed) < 30 { usleep(50_000) }
        let seconds = Date().timeIntervalSince(killed)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        while reader.isExecuting || !reader.isFinished { usleep(1000) }
        let message = String(decoding: errorData, as: UTF8.self)
        #expect(seconds < 10, "the job ran \(seconds) s after rank 1 was killed")
        #expect(process.terminationStatus != 0)
        #expect(message.contains("rank 1") && message.contains("signal 9"), "\(message)")
        // The newest checkpoint is whole: the run resumes from it (in one process) and trains on.
        let newest = try #require(try FileManager.default.contentsOfDirectory(atPath: checkpoints).filter { $0.hasPrefix("epoch-") }.sorted().last)
        let epoch = try #require(Int(newest.dropFirst("epoch-".count).prefix(6)))
        let resumed = try train.run(arguments + ["--epochs", String(epoch + 1), "--out", "run", "--resume"], in: work)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("resuming from") && !resumed.stdout.contains("skipped"), "\(resumed.stdout)")
    }

    @Test(.enabled(if: available)) func moreRanksThanStreamsIsOneClearError() throws {
        let work = Tool.tinyCorpusDirectory(lines: Self.lines)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let result = try mpi(2, ["tiny.txt", "--batch", "1", "--max-tokens", "0", "--epochs", "1", "--out", "run"], in: work)
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("lm-train:") }
        #expect(lines == ["lm-train: 2 processes cannot share a batch of 1 streams; give --batch at least 2 (it is the whole batch, split across the processes)"], "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work + "/run/config.json"))
    }

    @Test func theMPIFlagWithoutOpenMPIIsOneClearError() throws {
        let work = Tool.tinyCorpusDirectory(lines: Self.lines)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let result = try train.run(["tiny.txt", "--mpi", "--epochs", "1", "--out", "run"], in: work,
                                   environment: ["LMKIT_MPI_LIBRARY": "/nonexistent/libmpi.so.40"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("lm-train: ") && result.stderr.contains("/nonexistent/libmpi.so.40")
                && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work + "/run"))
    }

    /// The processes whose parent is `pid`.
    static func processes(under pid: Int32) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid
        }
    }

    /// A process's environment.
    static func environment(of pid: Int32) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [:] }
        var result: [String: String] = [:]
        for entry in data.split(separator: 0) {
            let text = String(decoding: entry, as: UTF8.self)
            if let equals = text.firstIndex(of: "=") { result[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
        }
        return result
    }
}
