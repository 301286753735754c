import Foundation
import LMFileSystem
import LMText

/// The files LMKit writes in a run directory, recognised by name and format, and what a trainer
/// does with a directory before its first write: claim it (refusing a folder that is not a
/// run, then taking its ``RunLock``), clear crash debris, and, for `--overwrite`, delete only
/// LMKit's own files.
extension RunDirectory {
    /// The names LMKit writes at the top of a run directory.
    public static let fileNames = ["config.json", "vocab.json", "model.safetensors", "log.jsonl", "curve.svg"]

    /// Whether `name` is one of a run's checkpoint files: `epoch-NNNNNN[-batch-NNNNNN].safetensors`
    /// or `best.safetensors`.
    public static func isCheckpointName(_ name: String) -> Bool {
        if name == "best.safetensors" { return true }
        guard name.hasPrefix("epoch-"), name.hasSuffix(".safetensors") else { return false }
        let parts = name.dropLast(".safetensors".count).split(separator: "-", omittingEmptySubsequences: false)
        func number(_ part: Substring) -> Bool { part.count >= 6 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber) }
        return (parts.count == 2 && number(parts[1]))
            || (parts.count == 4 && number(parts[1]) && parts[2] == "batch" && number(parts[3]))
    }

    /// The suffix given to a checkpoint that resume found damaged and set aside.
    public static let damagedSuffix = ".damaged"

    /// Whether `name` is an `AtomicFile` temporary (`.<name>.tmp-<pid>`) of a file `owned`
    /// accepts, or the one Foundation's `createFile` writes first (`.dat.nosync<hex>.<random>`).
    static func isTemporary(_ name: String, of owned: (String) -> Bool) -> Bool {
        if name.hasPrefix(".dat.nosync") { return true }
        guard name.hasPrefix("."), let marker = name.range(of: ".tmp-", options: .backwards) else { return false }
        let pid = name[marker.upperBound...]
        guard !pid.isEmpty, pid.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        return owned(String(name[name.index(after: name.startIndex)..<marker.lowerBound]))
    }

    /// Whether the directory holds a run: a `config.json` in LMKit's run format.
    public var holdsRun: Bool { Self.jsonFormat(at: configPath) == RunConfig.formatName }

    // MARK: - Claiming

    /// Makes the directory this process's: refuses a non-empty folder that is not a run
    /// (crash debris of LMKit's own aside), creates it and `checkpoints/`, and takes its lock.
    /// - Throws: ``RunDirectoryError/notARunFolder(path:entries:)``,
    ///   ``RunDirectoryError/inUse(path:pid:)``, or an I/O error.
    public func claim() throws -> RunLock {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw ModelFileError.io(path: path, reason: "is a file, not a directory; choose another run.output")
            }
            if !holdsRun {
                let foreign = foreignEntries()
                if !foreign.isEmpty { throw RunDirectoryError.notARunFolder(path: path, entries: foreign) }
            }
        }
        try create()
        return try RunLock.acquire(directory: path)
    }

    /// Entries of a directory without a run that are not LMKit's crash debris (its lock file,
    /// temporaries, a `checkpoints/` holding nothing else, and, beside the lock file, the
    /// LMKit `vocab.json` a trainer killed between writing it and `config.json` left).
    private func foreignEntries() -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
        let wasClaimed = names.contains(RunLock.fileName)
        return names.filter { name in
            if name == RunLock.fileName || Self.isTemporary(name, of: Self.fileNames.contains) { return false }
            if name == "vocab.json" && wasClaimed && Self.isLMKitFile(name: name, at: vocabularyPath) { return false }
            if name == "checkpoints" {
                let inner = (try? FileManager.default.contentsOfDirectory(atPath: checkpointsPath)) ?? ["?"]
                return !inner.allSatisfy { Self.isTemporary($0, of: Self.isCheckpointName) }
            }
            return true
        }
    }

    /// The run's own files (config, vocabulary, weights, log, curve, lock file, checkpoints):
    /// the inputs no output of a command reading the run may replace.
    public var ownFiles: InputFiles {
        var files = InputFiles((Self.fileNames + [RunLock.fileName]).map { path + "/" + $0 })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: checkpointsPath)) ?? [] {
            files.add(checkpointsPath + "/" + name)
        }
        return files
    }

    // MARK: - Crash debris

    /// Deletes temporaries a killed write left: `AtomicFile`'s in the directory and
    /// `checkpoints/` (only the lock holder writes there, so every one is debris), and
    /// `markLatest`'s `.latest-<pid>` beside the directory when that process is gone.
    /// - Returns: the paths deleted.
    @discardableResult
    public func removeDebris() -> [String] {
        var removed: [String] = []
        func sweep(_ directory: String, _ matches: (String) -> Bool) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where matches(name) {
                if unlink(directory + "/" + name) == 0 { removed.append(directory + "/" + name) }
            }
        }
        sweep(path) { Self.isTemporary($0, of: Self.fileNames.contains) }
        sweep(checkpointsPath) { Self.isTemporary($0, of: Self.isCheckpointName) }
        let parent = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
        sweep(parent) { name in
            guard name.hasPrefix(".latest-"), let pid = Int32(name.dropFirst(".latest-".count)) else { return false }
            return kill(pid, 0) != 0 && errno == ESRCH
        }
        return removed
    }

    // MARK: - LMKit's own files

    /// The run's files under LMKit's names that are not in LMKit's format (a user's file
    /// LMKit would overwrite), as paths relative to the directory.
    public func foreignFilesUnderRunNames() -> [String] {
        var foreign: [String] = []
        for name in Self.fileNames where FileManager.default.fileExists(atPath: path + "/" + name) {
            if !Self.isLMKitFile(name: name, at: path + "/" + name) { foreign.append(name) }
        }
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: checkpointsPath)) ?? []).sorted()
        where Self.isCheckpointName(name) && !Self.isLMKitFile(name: name, at: checkpointsPath + "/" + name) {
            foreign.append("checkpoints/" + name)
        }
        return foreign
    }

    /// `--overwrite`: deletes the run's weights, log, curve and checkpoints (with set-aside
    /// damaged ones), leaving every other file in place; `config.json` and `vocab.json` are
    /// replaced by the new run's. Nothing is deleted when a file under LMKit's names is not
    /// LMKit's.
    /// - Throws: ``RunDirectoryError/foreignFiles(path:files:)``.
    public func removeRunFiles() throws {
        let foreign = foreignFilesUnderRunNames()
        guard foreign.isEmpty else { throw RunDirectoryError.foreignFiles(path: path, files: foreign) }
        for file in [weightsPath, logPath, curvePath] { unlink(file) }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: checkpointsPath)) ?? [] {
            let isDamaged = name.hasSuffix(Self.damagedSuffix) && Self.isCheckpointName(String(name.dropLast(Self.damagedSuffix.count)))
            if Self.isCheckpointName(name) || isDamaged { unlink(checkpointsPath + "/" + name) }
        }
    }

    /// Whether the file at `path`, named `name`, is in the format LMKit writes under that name.
    static func isLMKitFile(name: String, at path: String) -> Bool {
        switch name {
        case "config.json": return jsonFormat(at: path) == RunConfig.formatName
        case "vocab.json": return jsonFormat(at: path) == VocabularyFile.formatName
        case "model.safetensors": return safeTensorsFormat(at: path) == "lmkit-weights"
        case "log.jsonl":
            guard let data = FileManager.default.contents(atPath: path) else { return false }
            return String(decoding: data, as: UTF8.self).split(separator: "\n").allSatisfy { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["epoch"] != nil
            }
        case "curve.svg":
            guard let handle = FileHandle(forReadingAtPath: path) else { return false }
            defer { try? handle.close() }
            return (try? handle.read(upToCount: 5)) == Data("<svg ".utf8)
        default:
            return isCheckpointName(name) && safeTensorsFormat(at: path) == CheckpointFile.formatName
        }
    }

    /// The `format` field of a JSON object file.
    private static func jsonFormat(at path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["format"] as? String
    }

    /// The `format` in a safetensors file's metadata, read from its header alone (so a
    /// checkpoint whose tensor data was cut short is still recognised as LMKit's).
    private static func safeTensorsFormat(at path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let prefix = try? handle.read(upToCount: 8), prefix.count == 8 else { return nil }
        let length = prefix.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard length <= UInt64(SafeTensors.maximumHeaderSize), let header = try? handle.read(upToCount: Int(length)),
              header.count == Int(length),
              let object = try? JSONSerialization.jsonObject(with: header) as? [String: Any],
              let metadata = object["__metadata__"] as? [String: String] else { return nil }
        return metadata["format"]
    }
}
