import Foundation

extension CheckpointFiles {
    /// `best.safetensors` when it has been written, else nil.
    public var existingBest: String? { FileManager.default.fileExists(atPath: bestPath) ? bestPath : nil }
}
