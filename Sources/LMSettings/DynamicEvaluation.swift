/// Dynamic evaluation (Krause et al. 2018, "Dynamic Evaluation of Neural Sequence Models",
/// the SGD variant of benkrause/dynamic-evaluation): the text is read as one sequence in
/// segments; each segment's loss counts before the model learns from it, then one gradient
/// step on the segment's mean cross-entropy pulls the weights θ toward the text and a decay
/// pulls them back toward the trained weights θ₀: θ ← θ − lr ∇θ + decay (θ₀ − θ).
/// `lm-eval --dynamic-eval LR[,DECAY]`.
public struct DynamicEvaluation: Codable, Equatable, Sendable {
    /// The step size lr (positive, finite).
    public var learningRate: Double
    /// The pull toward the trained weights per segment, in [0, 1) (0: none).
    public var decay: Double

    /// Dynamic evaluation with step size `learningRate` and pull `decay`.
    public init(learningRate: Double, decay: Double = 0) {
        self.learningRate = learningRate
        self.decay = decay
    }

    /// The form ``init(parsing:)`` reads, for messages.
    public static let form = "LR[,DECAY]"

    /// Dynamic evaluation written `LR` or `LR,DECAY` (`0.002,0.02`); nil for any other text.
    /// The values are checked by ``validate(key:)``, not here.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let learningRate = Double(parts[0]) else { return nil }
        guard parts.count == 2 else {
            self.init(learningRate: learningRate)
            return
        }
        guard let decay = Double(parts[1]) else { return nil }
        self.init(learningRate: learningRate, decay: decay)
    }

    /// The settings as `--dynamic-eval` writes them.
    public var text: String { "\(learningRate),\(decay)" }

    /// Throws ``SettingsError`` (keys `<key>.learningRate`, `<key>.decay`) for a step size
    /// that is not positive and finite or a decay outside [0, 1).
    public func validate(key: String) throws {
        func bad(_ field: String, _ problem: String) -> SettingsError {
            SettingsError(.outOfRange, key + "." + field, "\(setting: key) \(text): \(problem)")
        }
        if !(learningRate > 0 && learningRate.isFinite) { throw bad("learningRate", "the learning rate must be positive and finite (got \(learningRate))") }
        if !(decay >= 0 && decay < 1) { throw bad("decay", "the decay must be in [0, 1) (got \(decay))") }
    }
}
