import Foundation

/// Corpora by name, as d2l's `DATA_HUB`: a JSON registry maps a name to a URL, a SHA-1 and a
/// file name. A corpus that is not on disk yet is copied from the mirror directory
/// `$LM_CORPUS_MIRROR` when it holds the file, or else downloaded, checked against its SHA-1 and written atomically.
///
/// The registry file is `corpora/registry.json`:
/// `{"timemachine": {"url": "http://…/timemachine.txt", "sha1": "090b…", "file": "timemachine.txt"}}`.
public struct CorpusRegistry: Sendable {
    /// One registered corpus.
    public struct Entry: Codable, Sendable, Equatable {
        public var url: String
        public var sha1: String
        public var file: String
    }

    /// Registered corpora by name.
    public let entries: [String: Entry]
    /// The directory registered corpora are stored in (the registry's own directory).
    public let directory: String

    /// Reads a registry file.
    public init(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TextError.unreadable(path: path, reason: "no such file")
        }
        do {
            entries = try JSONDecoder().decode([String: Entry].self, from: data)
        } catch {
            throw TextError.invalidSetting("\(path): not a corpus registry (expected {\"name\": {\"url\", \"sha1\", \"file\"}})")
        }
        directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    /// The registry to use: `$LM_CORPUS_REGISTRY`, else `corpora/registry.json` under the
    /// current directory; nil when neither exists.
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CorpusRegistry? {
        if let path = environment["LM_CORPUS_REGISTRY"], !path.isEmpty { return try CorpusRegistry(file: path) }
        let local = "corpora/registry.json"
        return FileManager.default.fileExists(atPath: local) ? try CorpusRegistry(file: local) : nil
    }

    /// Resolves what a user typed as a corpus: an existing file is used as it is; a registered
    /// name ("timemachine") or a missing path whose file name is registered
    /// ("corpora/timemachine.txt") is fetched first. Returns the path to read.
    public func resolve(_ argument: String, mirror: String? = ProcessInfo.processInfo.environment["LM_CORPUS_MIRROR"]) throws -> String {
        if argument == TextInput.standardInput || FileManager.default.fileExists(atPath: argument) { return argument }
        let fileName = URL(fileURLWithPath: argument).lastPathComponent
        let match = entries[argument].map { (argument, $0) }
            ?? entries.first(where: { $0.value.file == fileName || $0.key == fileName }).map { ($0.key, $0.value) }
        guard let (name, entry) = match else {
            throw TextError.unreadable(path: argument, reason: "no such file, and no corpus of that name in the registry (registered: \(entries.keys.sorted().joined(separator: ", ")))")
        }
        let destination = entries[argument] != nil ? directory + "/" + entry.file : argument
        if FileManager.default.fileExists(atPath: destination) {
            try check(destination, against: entry)
            return destination
        }
        try fetch(name: name, entry: entry, to: destination, mirror: mirror)
        return destination
    }

    private func check(_ path: String, against entry: Entry) throws {
        let actual = try SHA1.hexDigest(ofFile: path)
        if actual != entry.sha1 { throw TextError.corpusHashMismatch(path: path, expected: entry.sha1, actual: actual) }
    }

    private func fetch(name: String, entry: Entry, to destination: String, mirror: String?) throws {
        let directory = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = directory + "/." + entry.file + ".download-\(getpid())"
        defer { unlink(temporary) }
        let mirrored = mirror.flatMap { $0.isEmpty ? nil : $0 + "/" + entry.file }
        if let mirrored, FileManager.default.fileExists(atPath: mirrored) {
            do {
                try FileManager.default.copyItem(atPath: mirrored, toPath: temporary)
            } catch {
                throw TextError.corpusUnavailable(name: name, reason: "cannot copy \(mirrored): \(error.localizedDescription)")
            }
            let actual = try SHA1.hexDigest(ofFile: temporary)
            guard actual == entry.sha1 else {
                throw TextError.corpusHashMismatch(path: mirrored, expected: entry.sha1, actual: actual)
            }
        } else {
            let mirrorNote = mirrored.map { "; the mirror has no \($0) either" } ?? ""
            try download(entry.url, to: temporary, name: name, file: entry.file, note: mirrorNote)
            let actual = try SHA1.hexDigest(ofFile: temporary)
            guard actual == entry.sha1 else {
                throw TextError.corpusUnavailable(name: name, reason: "the download from \(entry.url) has SHA-1 \(actual), expected \(entry.sha1); try again later or set LM_CORPUS_MIRROR to a directory holding a good \(entry.file)")
            }
        }
        try AtomicFile.commit(temporary: temporary, to: destination)
    }

    private func download(_ url: String, to path: String, name: String, file: String, note: String) throws {
        let curl = "/usr/bin/curl"
        guard FileManager.default.isExecutableFile(atPath: curl) else {
            throw TextError.corpusUnavailable(name: name, reason: "cannot download \(url): curl is not installed (run bin/setup), or set LM_CORPUS_MIRROR to a directory holding \(file)\(note)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = ["-fsSL", "--connect-timeout", "15", "--max-time", "300", "-o", path, url]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw TextError.corpusUnavailable(name: name, reason: "download of \(url) failed (\(message.isEmpty ? "curl exit \(process.terminationStatus)" : message)); without network, set LM_CORPUS_MIRROR to a directory holding \(file)\(note)")
        }
    }
}
