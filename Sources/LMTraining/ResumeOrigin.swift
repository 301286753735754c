/// Where a resumed run continues from, and what resume did on the way.
public struct ResumeOrigin: Equatable, Sendable {
    /// The checkpoint read; nil when there was none yet and training starts from epoch 0.
    public var path: String?
    /// One line per checkpoint skipped or deleted, saying which and why.
    public var notes: [String]
}
