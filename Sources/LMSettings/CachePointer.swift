/// The continuous cache pointer at test time (Grave et al. 2017, "Improving Neural Language
/// Models with a Continuous Cache"; salesforce/awd-lstm-lm `pointer.py`): the text is read as
/// one sequence, and each prediction mixes the model's distribution with one over the words
/// that followed the last ``window`` positions, weighted by how much each position's top-layer
/// output resembles the current one:
/// p(w) = (1 − λ) p_model(w) + λ Σ_{i: w_{i+1} = w} softmax_i(θ h_t · h_i).
/// `lm-eval --cache-pointer WINDOW,THETA,LAMBDA` (AWD-LSTM on PTB: 500,1.0,0.1).
public struct CachePointer: Codable, Equatable, Sendable {
    /// Earlier positions the pointer can point at (≥ 1); fewer at the start of the text.
    public var window: Int
    /// θ, the scale of the dot products h_t · h_i (finite; 0 points at every position alike).
    public var theta: Double
    /// λ, the pointer's share of the mixture, in [0, 1) (0 is the model alone; 1 would give
    /// every word outside the window probability 0).
    public var lambda: Double

    /// A pointer over `window` positions with scale `theta` and share `lambda` (AWD-LSTM's PTB values by default).
    public init(window: Int = 500, theta: Double = 1, lambda: Double = 0.1) {
        self.window = window
        self.theta = theta
        self.lambda = lambda
    }

    /// The form ``init(parsing:)`` reads, for messages.
    public static let form = "WINDOW,THETA,LAMBDA"

    /// A pointer written `WINDOW,THETA,LAMBDA` (`500,1.0,0.1`); nil for any other text. The
    /// values are checked by ``validate(key:)``, not here.
    public init?(parsing text: String) {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 3, let window = Int(parts[0]), let theta = Double(parts[1]), let lambda = Double(parts[2]) else { return nil }
        self.init(window: window, theta: theta, lambda: lambda)
    }

    /// The pointer as `--cache-pointer` writes it.
    public var text: String { "\(window),\(theta),\(lambda)" }

    /// Throws ``SettingsError`` (keys `<key>.window`, `<key>.theta`, `<key>.lambda`) for a
    /// window below 1, a θ that is not finite or a λ outside [0, 1).
    public func validate(key: String) throws {
        func bad(_ field: String, _ problem: String) -> SettingsError {
            SettingsError(.outOfRange, key + "." + field, "\(setting: key) \(text): \(problem)")
        }
        if window < 1 { throw bad("window", "the window must be at least 1 position (got \(window))") }
        if !theta.isFinite { throw bad("theta", "theta must be finite (got \(theta))") }
        if !(lambda >= 0 && lambda < 1) { throw bad("lambda", "lambda must be in [0, 1) (got \(lambda))") }
    }
}
