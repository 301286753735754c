import Foundation
import LMFileSystem
import LMText
import Testing

/// Inputs users really give (issue 13, items 2, 3 and 5): a model too large for the machine,
/// corpora that are pipes, FIFOs or directories, and a corpus that changed under a run.
@Suite struct InputSafetyTests {
    let train = Tool(name: "lm-train")
    let tiny = ["--hidden", "8", "--batch", "4", "--steps", "6", "--max-tokens", "2000", "--checkpoint-every", "1"]

    /// A directory holding `c.txt`, a few thousand characters of English-like text.
    func workDirectory() -> (String, String) {
        let work = Tool.temporaryDirectory()
        let text = Tool.tinyText(lines: 60)
        FileManager.default.createFile(atPath: work + "/c.txt", contents: Data(text.utf8))
        return (work, text)
    }

    /// SHA-256 of every file under `directory`, by relative path.
    func checksums(_ directory: String) -> [String: String] {
        var result: [String: String] = [:]
        for case let file as String in FileManager.default.enumerator(atPath: directory) ?? FileManager.DirectoryEnumerator()
            where file != ".lock" {   // the run's lock file holds its latest owner's PID
            if let data = FileManager.default.contents(atPath: directory + "/" + file) {
                result[file] = SHA256.hexDigest(of: Array(data))
            }
        }
        return result
    }

    func oneLine(_ text: String) -> Bool { text.split(separator: "\n").count == 1 }

    @Test func aModelTooLargeForMemoryIsRefusedBeforeAllocating() throws {
        let (work, _) = workDirectory()
        let result = try train.run(["c.txt", "--hidden", "100000", "--epochs", "1", "--out", "runs/huge"], in: work)
        #expect(result.status == 1)
        #expect(oneLine(result.stderr))
        #expect(result.stderr.hasPrefix("lm-train: the model needs about "))
        #expect(result.stderr.contains("is available; lower --hidden"))
        #expect(!result.stderr.contains("Fatal error"))
        #expect(!FileManager.default.fileExists(atPath: work + "/runs/huge"))
    }

    @Test func aRunTooLargeForMemoryIsRefusedByLmEval() throws {
        let (work, _) = workDirectory()
        #expect(try train.run(["c.txt", "--epochs", "1", "--out", "runs/a"] + tiny, in: work).status == 0)
        let configPath = work + "/runs/a/config.json"
        let config = try String(contentsOfFile: configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "\"hiddenSize\" : 8", with: "\"hiddenSize\" : 1000000")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let before = checksums(work + "/runs/a")
        let result = try Tool(name: "lm-eval").run(["--model", "runs/a", "c.txt"], in: work)
        #expect(result.status == 1)
        #expect(oneLine(result.stderr))
        #expect(result.stderr.contains("lm-eval: the model needs about"))
        #expect(result.stderr.contains("runs/a holds a model too large for this machine"))
        #expect(checksums(work + "/runs/a") == before)
    }

    /// A corpus on standard input (`-`) is read once and trains exactly as the same file does.
    @Test func aCorpusOnStandardInputTrainsLikeTheFile() throws {
        let (work, text) = workDirectory()
        #expect(try train.run(["c.txt", "--epochs", "1", "--out", "runs/file"] + tiny, in: work).status == 0)
        let piped = try train.run(["-", "--epochs", "1", "--out", "runs/pipe"] + tiny, input: text, in: work)
        #expect(piped.status == 0, "\(piped.stderr)")
        let fromFile = FileManager.default.contents(atPath: work + "/runs/file/model.safetensors")
        #expect(fromFile != nil)
        #expect(FileManager.default.contents(atPath: work + "/runs/pipe/model.safetensors") == fromFile)
        let config = try String(contentsOfFile: work + "/runs/pipe/config.json", encoding: .utf8)
        #expect(config.contains(SHA256.hexDigest(of: Array(text.utf8))))
    }

    /// A FIFO fed by another program is read once: lm-vocab builds the same vocabulary as from the file.
    @Test func aFIFOWithAWriterBuildsTheSameVocabulary() throws {
        let (work, text) = workDirectory()
        #expect(mkfifo(work + "/fifo", 0o600) == 0)
        let writer = Thread {
            let handle = FileHandle(forWritingAtPath: work + "/fifo")!
            handle.write(Data(text.utf8))
            try? handle.close()
        }
        writer.start()
        let vocab = Tool(name: "lm-vocab")
        let fromFIFO = try vocab.run(["build", "fifo", "-o", "fifo.json"], in: work)
        #expect(fromFIFO.status == 0, "\(fromFIFO.stderr)")
        #expect(try vocab.run(["build", "c.txt", "-o", "file.json"], in: work).status == 0)
        let a = try String(contentsOfFile: work + "/fifo.json", encoding: .utf8)
        let b = try String(contentsOfFile: work + "/file.json", encoding: .utf8)
        #expect(a.replacingOccurrences(of: "\"fifo\"", with: "\"c.txt\"") == b)
        #expect(fromFIFO.stdout.contains("tokens:   "))
    }

    /// A FIFO nobody writes to is an error within seconds, never a hang, in every tool that reads text.
    @Test func aFIFOWithoutAWriterIsAnErrorNotAHang() throws {
        let (work, _) = workDirectory()
        #expect(try train.run(["c.txt", "--epochs", "1", "--out", "runs/a"] + tiny, in: work).status == 0)
        #expect(mkfifo(work + "/fifo", 0o600) == 0)
        let runs: [(Tool, [String])] = [(Tool(name: "lm-vocab"), ["build", "fifo", "-o", "v.json"]),
                                       (train, ["fifo", "--epochs", "1", "--out", "runs/b"] + tiny),
                                       (Tool(name: "lm-eval"), ["--model", "runs/a", "fifo"])]
        for (tool, arguments) in runs {
            let started = Date()
            let result = try tool.run(arguments, in: work)
            #expect(Date().timeIntervalSince(started) < 20)
            #expect(result.status == 1)
            #expect(oneLine(result.stderr))
            #expect(result.stderr.contains("\(tool.name): fifo: cannot read: is a FIFO and nothing was written to it within 5 s"))
        }
        #expect(!FileManager.default.fileExists(atPath: work + "/v.json"))
        #expect(!FileManager.default.fileExists(atPath: work + "/runs/b"))
    }

    @Test func aDirectoryAsCorpusIsAClearError() throws {
        let (work, _) = workDirectory()
        try FileManager.default.createDirectory(atPath: work + "/texts", withIntermediateDirectories: true)
        let result = try train.run(["texts", "--epochs", "1", "--out", "runs/d"] + tiny, in: work)
        #expect(result.status == 1)
        #expect(oneLine(result.stderr))
        #expect(result.stderr.contains("lm-train: texts: cannot read: is a directory, not a text file"))
    }

    /// Resume compares content: another spelling of the same corpus continues; a changed
    /// corpus is refused with both hashes and the run is left as it was.
    @Test func resumeComparesTheCorpusByContent() throws {
        let (work, text) = workDirectory()
        #expect(try train.run(["c.txt", "--epochs", "1", "--out", "runs/r"] + tiny, in: work).status == 0)
        let absolute = try train.run([work + "/c.txt", "--epochs", "2", "--out", "runs/r", "--resume"] + tiny, in: work)
        #expect(absolute.status == 0, "\(absolute.stderr)")
        let changed = text + "the end.\n"
        FileManager.default.createFile(atPath: work + "/c.txt", contents: Data(changed.utf8))
        let before = checksums(work + "/runs/r")
        let refused = try train.run(["c.txt", "--epochs", "3", "--out", "runs/r", "--resume"] + tiny, in: work)
        #expect(refused.status == 1)
        #expect(oneLine(refused.stderr))
        #expect(refused.stderr.contains("lm-train: cannot resume: the corpus c.txt changed since the run began"))
        #expect(refused.stderr.contains(SHA256.hexDigest(of: Array(text.utf8))))
        #expect(refused.stderr.contains(SHA256.hexDigest(of: Array(changed.utf8))))
        #expect(checksums(work + "/runs/r") == before)
    }
}
