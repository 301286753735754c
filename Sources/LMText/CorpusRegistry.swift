import Foundation
import LMFileSystem

/// Corpora by name, as d2l's `DATA_HUB`: a JSON registry maps a name to a URL, a SHA-1 and a
/// file name. A corpus that is not on disk yet is copied from the mirror directory
/// `$LM_CORPUS_MIRROR` when it holds the file, or else downloaded, checked against its SHA-1 and written atomically.
///
/// The registry file is `corpora/registry.json`:
/// `{"timemachine": {"url": "http://…/timemachine.txt", "sha1": "090b…", "file": "timemachine.txt"}}`.
/// A corpus that comes as a zip of splits (d2l's `ptb`) names its members and the
/// preprocessing it needs:
/// `"ptb": {"url": …, "sha1": …, "file": "ptb.zip", "splits": {"train": "ptb/ptb.train.txt",
/// "valid": "ptb/ptb.valid.txt", "test": "ptb/ptb.test.txt"}, "pipeline": {"level": "word",
/// "preset": "raw", "eos": true}}`; the members are unpacked beside the archive. A corpus
/// without splits may hold out its end for validation (`"validationFraction": 0.1`:
/// tinyshakespeare's last 10%, as nanoGPT and torch-rnn split it).
public struct CorpusRegistry: Sendable {
    /// One registered corpus.
    public struct Entry: Codable, Sendable, Equatable {
        public var url: String
        public var sha1: String
        /// The file fetched: the corpus itself, or a zip archive of `splits`; a path relative to
        /// the registry's directory and the mirror (it may name a subfolder: "ptb/ptb.zip").
        public var file: String
        /// For an archive: the members holding the training text and, optionally, the
        /// validation and test texts.
        public var splits: Splits?
        /// Preprocessing the corpus needs, as defaults under the user's own settings.
        public var pipeline: PipelineChoice?
        /// The text periodic training samples start from (timemachine: "time traveller").
        public var samplePrefix: String?
        /// For a corpus without splits: the fraction of its end held out for validation, as a
        /// default under the user's own (nil: none).
        public var validationFraction: Double?

        /// The last component of ``file``: the name a path given for this corpus ends in.
        public var fileName: String { URL(fileURLWithPath: file).lastPathComponent }
    }

    /// The members of an archive that hold each part of a corpus.
    public struct Splits: Codable, Sendable, Equatable {
        public var train: String
        public var valid: String?
        public var test: String?
    }

    /// A corpus ready to read: its files on disk and what the registry says about it (nil for
    /// a plain file that is not registered).
    public struct Corpus: Sendable, Equatable {
        /// The training text (the whole corpus when it has no splits).
        public var train: String
        public var valid: String?
        public var test: String?
        /// The registry entry's preprocessing defaults.
        public var pipeline: PipelineChoice?
        /// The registry entry's prefix for periodic training samples.
        public var samplePrefix: String?
        /// The registry entry's fraction of the end held out for validation.
        public var validationFraction: Double?
        /// Whether the corpus came with its own splits.
        public var hasSplits: Bool { valid != nil || test != nil }
        /// Whether the registry says how the corpus is held out (its own splits, or a
        /// validation fraction): then it is used whole by default.
        public var isBenchmark: Bool { hasSplits || validationFraction != nil }

        /// A corpus: a plain file unless the parts are given.
        public init(train: String, valid: String? = nil, test: String? = nil, pipeline: PipelineChoice? = nil,
                    samplePrefix: String? = nil, validationFraction: Double? = nil) {
            (self.train, self.valid, self.test) = (train, valid, test)
            (self.pipeline, self.samplePrefix, self.validationFraction) = (pipeline, samplePrefix, validationFraction)
        }
    }

    /// Registered corpora by name.
    public let entries: [String: Entry]
    /// The directory registered corpora are stored in (the registry's own directory).
    public let directory: String

    /// Reads a registry file.
    public init(file path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError.unreadable(path: path, reason: "no such file")
        }
        do {
            entries = try JSONDecoder().decode([String: Entry].self, from: data)
        } catch {
            throw TextError.invalidSetting("\(path): not a corpus registry (expected {\"name\": {\"url\", \"sha1\", \"file\"}}, optionally with \"splits\" and \"pipeline\"): \(SystemError.describe(error))")
        }
        for (name, entry) in entries.sorted(by: { $0.key < $1.key }) {
            if let fraction = entry.validationFraction, !(fraction > 0 && fraction < 1) {
                throw TextError.invalidSetting("\(path): \(name)'s validationFraction \(fraction) must be in (0, 1)")
            }
            if entry.validationFraction != nil && entry.splits?.valid != nil {
                throw TextError.invalidSetting("\(path): \(name) has both a validation split and a validationFraction; keep one")
            }
        }
        directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    /// A registry of `entries` whose files are stored in `directory`.
    public init(entries: [String: Entry], directory: String) {
        self.entries = entries
        self.directory = directory
    }

    /// The registry to use: `$LM_CORPUS_REGISTRY`, else `corpora/registry.json` under the
    /// current directory, else ``builtIn`` (so a program that depends on the package can name
    /// `timemachine` too).
    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CorpusRegistry {
        if let path = environment["LM_CORPUS_REGISTRY"], !path.isEmpty { return try CorpusRegistry(file: path) }
        let local = "corpora/registry.json"
        return FileManager.default.fileExists(atPath: local) ? try CorpusRegistry(file: local) : builtIn
    }

    /// The registry for reading the corpus `argument`: ``standard(environment:)``, except that
    /// an existing file (or stdin) needs no registry, so for one an unreadable registry is
    /// passed over: the file is read as it is, without a registry entry's defaults.
    public static func standard(for argument: String,
                                environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CorpusRegistry {
        do {
            return try standard(environment: environment)
        } catch {
            guard argument == TextInput.standardInput || FileManager.default.fileExists(atPath: argument) else { throw error }
            return CorpusRegistry(entries: [:], directory: FileManager.default.currentDirectoryPath)
        }
    }

    /// Resolves what a user typed as a corpus: an existing file is used as it is; a registered
    /// name ("timemachine") or a missing path whose file name is registered
    /// ("corpora/timemachine.txt") is fetched first. Returns the path to read.
    public func resolve(_ argument: String, mirror: String? = ProcessInfo.processInfo.environment["LM_CORPUS_MIRROR"]) throws -> String {
        if argument == TextInput.standardInput || FileManager.default.fileExists(atPath: argument) { return argument }
        let fileName = URL(fileURLWithPath: argument).lastPathComponent
        let match = entries[argument].map { (argument, $0) }
            ?? entries.first(where: { $0.value.fileName == fileName || $0.key == fileName }).map { ($0.key, $0.value) }
        guard let (name, entry) = match else {
            throw FileError.unreadable(path: argument, reason: "no such file, and no corpus of that name in the registry (registered: \(entries.keys.sorted().joined(separator: ", ")))")
        }
        let destination = entries[argument] != nil ? directory + "/" + entry.file : argument
        if FileManager.default.fileExists(atPath: destination) {
            try check(destination, against: entry)
            return destination
        }
        try fetch(name: name, entry: entry, to: destination, mirror: mirror)
        return destination
    }

    /// Resolves a corpus as ``resolve(_:mirror:)`` does and, for an archive of splits, unpacks
    /// the members beside it (once; a member already there is checked against the archive's
    /// size and CRC-32 and unpacked again when it differs).
    public func corpus(_ argument: String, mirror: String? = ProcessInfo.processInfo.environment["LM_CORPUS_MIRROR"]) throws -> Corpus {
        let path = try resolve(argument, mirror: mirror)
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        guard let entry = entries[argument] ?? entries.values.first(where: { $0.fileName == fileName }), entry.fileName == fileName else {
            return Corpus(train: path)
        }
        guard let splits = entry.splits else {
            return Corpus(train: path, pipeline: entry.pipeline, samplePrefix: entry.samplePrefix, validationFraction: entry.validationFraction)
        }
        let archive = try ZipArchive(path: path)
        let base = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func unpack(_ member: String?) throws -> String? {
            guard let member else { return nil }
            guard !member.hasPrefix("/"), !member.split(separator: "/").contains("..") else {
                throw FileError.badArchive(path: path, reason: "member \(member) would unpack outside \(base)")
            }
            let destination = base + "/" + member
            if let recorded = archive.member(named: member), try Self.matches(destination, recorded) { return destination }
            try archive.extract(member, to: destination)
            return destination
        }
        return Corpus(train: try unpack(splits.train)!, valid: try unpack(splits.valid), test: try unpack(splits.test),
                      pipeline: entry.pipeline, samplePrefix: entry.samplePrefix)
    }

    /// Whether the file at `path` exists with a member's size and CRC-32.
    private static func matches(_ path: String, _ member: ZipArchive.Member) throws -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              (attributes[.size] as? NSNumber)?.intValue == member.size else { return false }
        return try ZipArchive.crc32(ofFile: path) == member.crc32
    }

    private func check(_ path: String, against entry: Entry) throws {
        let actual = try SHA1.hexDigest(ofFile: path)
        if actual != entry.sha1 { throw TextError.corpusHashMismatch(path: path, expected: entry.sha1, actual: actual) }
    }

    private func fetch(name: String, entry: Entry, to destination: String, mirror: String?) throws {
        let directory = URL(fileURLWithPath: destination).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let temporary = AtomicFile.temporaryPath(for: destination, tag: "download")
        unlink(temporary)
        defer { unlink(temporary) }
        let mirrored = mirror.flatMap { $0.isEmpty ? nil : $0 + "/" + entry.file }
        if let mirrored, FileManager.default.fileExists(atPath: mirrored) {
            do {
                try FileManager.default.copyItem(atPath: mirrored, toPath: temporary)
            } catch {
                throw TextError.corpusUnavailable(name: name, reason: "cannot copy \(mirrored) to \(temporary): \(SystemError.describe(error))")
            }
            let actual = try SHA1.hexDigest(ofFile: temporary)
            guard actual == entry.sha1 else {
                throw TextError.corpusHashMismatch(path: mirrored, expected: entry.sha1, actual: actual)
            }
        } else {
            let mirrorNote = mirrored.map { "; the mirror has no \($0) either" } ?? ""
            do {
                try Download.fetch(entry.url, to: temporary)
            } catch let error as DownloadError {
                let remedy: String
                switch error {
                case .noDownloader: remedy = " (run bin/setup), or set LM_CORPUS_MIRROR to a directory holding \(entry.file)\(mirrorNote)"
                case .failed: remedy = "; without network, set LM_CORPUS_MIRROR to a directory holding \(entry.file)\(mirrorNote)"
                }
                throw TextError.corpusUnavailable(name: name, reason: "\(error)\(remedy)")
            }
            let actual = try SHA1.hexDigest(ofFile: temporary)
            guard actual == entry.sha1 else {
                throw TextError.corpusUnavailable(name: name, reason: "the download from \(entry.url) has SHA-1 \(actual), expected \(entry.sha1); try again later or set LM_CORPUS_MIRROR to a directory holding a good \(entry.file)")
            }
        }
        try AtomicFile.commit(temporary: temporary, to: destination)
    }
}
