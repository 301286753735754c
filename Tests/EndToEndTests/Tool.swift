import Foundation
import LMTestSupport

/// Runs a built LMKit tool (from the same build directory as the test binary), the way a
/// user would from a shell.
struct Tool {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let name: String

    /// The repository root (for committed files such as vocab/ and corpora/).
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// The directory holding the built products.
    static var productsDirectory: String { BuiltProducts.directory }

    /// The corpus mirror for tests: $LM_CORPUS_MIRROR, else ../shared/data beside the repository.
    static var mirror: String {
        if let mirror = ProcessInfo.processInfo.environment["LM_CORPUS_MIRROR"], !mirror.isEmpty {
            return URL(fileURLWithPath: mirror).standardizedFileURL.path
        }
        return URL(fileURLWithPath: repository).deletingLastPathComponent().path + "/shared/data"
    }

    /// A fresh temporary working directory.
    static func temporaryDirectory() -> String {
        TemporaryFolders.make("lmkit-e2e")
    }

    /// `lines` lines of seven words from the time machine's vocabulary, each ending in `lineEnd`:
    /// English-like text for the built tools to train on.
    static func tinyText(lines: Int, lineEnd: String = ".\n") -> String {
        let words = ["the", "time", "traveller", "said", "filby", "machine", "four", "dimensions"]
        var text = ""
        for line in 0..<lines { text += (0..<7).map { words[($0 * 3 + line * 5) % words.count] }.joined(separator: " ") + lineEnd }
        return text
    }

    /// A new temporary directory holding `tiny.txt` with ``tinyText(lines:lineEnd:)``.
    static func tinyCorpusDirectory(lines: Int, lineEnd: String = ".\n") -> String {
        let work = temporaryDirectory()
        FileManager.default.createFile(atPath: work + "/tiny.txt", contents: Data(tinyText(lines: lines, lineEnd: lineEnd).utf8))
        return work
    }

    /// The built tool's path.
    func path() throws -> String {
        let path = Tool.productsDirectory + "/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path,
                NSLocalizedDescriptionKey: "\(path) is not built: run `swift build` before the end-to-end tests"])
        }
        return path
    }

    /// Runs the tool with `arguments` in `directory`, feeding `input` on stdin.
    func run(_ arguments: [String], input: String = "", in directory: String? = nil,
             environment: [String: String] = [:]) throws -> Result {
        try Tool.launch(try path(), arguments, input: input, in: directory, environment: environment)
    }

    /// Runs the executable at `path` with `arguments` in `directory`, feeding `input` on stdin.
    static func launch(_ path: String, _ arguments: [String], input: String = "", in directory: String? = nil,
                       environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env["LM_CORPUS_REGISTRY"] = Tool.repository + "/corpora/registry.json"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Read both pipes concurrently with writing, so large outputs cannot dead-lock.
        nonisolated(unsafe) var errorData = Data()
        let errorReader = Thread { errorData = stderr.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while errorReader.isExecuting || !errorReader.isFinished { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                      stderr: String(decoding: errorData, as: UTF8.self))
    }
}
