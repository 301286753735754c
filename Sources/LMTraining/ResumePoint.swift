/// Which checkpoint `--resume` continues from.
public enum ResumePoint: String, CaseIterable, Sendable {
    /// The newest intact regular checkpoint (damaged newer ones are set aside).
    case newest
    /// `best.safetensors`; regular checkpoints after it are deleted, as training goes on from it.
    case best
}

/// Where a resumed run continues from, and what resume did on the way.
public struct ResumeOrigin: Equatable, Sendable {
    /// The checkpoint read; nil when there was none yet and training starts from epoch 0.
    public var path: String?
    /// One line per checkpoint skipped or deleted, saying which and why.
    public var notes: [String]
}
