/// Which checkpoint a resumed run continues from (``RunSettings/resume``).
public enum ResumePoint: String, Codable, CaseIterable, Sendable {
    /// The newest intact regular checkpoint (damaged newer ones are set aside).
    case newest
    /// `best.safetensors`; regular checkpoints after it are deleted, as training goes on from it.
    case best
}
