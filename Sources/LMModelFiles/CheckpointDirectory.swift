import Foundation
import LMFileSystem
import LMText

/// The directory of a run's checkpoints and their names: `epoch-EEEEEE[-batch-BBBBBB].safetensors`
/// (regular checkpoints) and `best.safetensors`.
public struct CheckpointDirectory {
    public let directory: String

    public init(directory: String) throws {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ModelFileError.io(path: directory, reason: "cannot create the checkpoint directory: \(SystemError.describe(error))")
        }
    }

    /// The names of the checkpoints in `directory`, which is neither created nor written
    /// (the other ranks of a data-parallel run, whose rank 0 writes).
    public init(naming directory: String) {
        self.directory = directory
    }

    /// The checkpoint with the best validation (or training) perplexity so far.
    public var bestPath: String { directory + "/best.safetensors" }

    /// `best.safetensors` when it has been written, else nil.
    public var existingBest: String? { FileManager.default.fileExists(atPath: bestPath) ? bestPath : nil }

    /// The file for a checkpoint after `epoch` completed epochs and `batch` batches of the next.
    public func path(epoch: Int, batch: Int) -> String {
        directory + String(format: "/epoch-%06d", epoch) + (batch > 0 ? String(format: "-batch-%06d", batch) : "") + ".safetensors"
    }

    /// Regular checkpoints, oldest first.
    public func all() throws -> [(path: String, epoch: Int, batch: Int)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap { name -> (String, Int, Int)? in
            guard name.hasPrefix("epoch-"), name.hasSuffix(".safetensors") else { return nil }
            let parts = name.dropLast(".safetensors".count).split(separator: "-")
            guard parts.count == 2 || parts.count == 4, let epoch = Int(parts[1]) else { return nil }
            let batch = parts.count == 4 ? Int(parts[3]) ?? 0 : 0
            return (directory + "/" + name, epoch, batch)
        }.sorted { ($0.1, $0.2) < ($1.1, $1.2) }
    }

    /// The most advanced checkpoint.
    public var newest: (path: String, epoch: Int, batch: Int)? {
        get throws { try all().last }
    }

    /// Deletes all but the newest `keeping` regular checkpoints (best is kept apart).
    public func prune(keeping: Int) throws {
        let files = try all()
        for file in files.dropLast(keeping) { unlink(file.path) }
    }
}
