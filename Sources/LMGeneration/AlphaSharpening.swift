/// Sampling from the sharpened distribution q ∝ p^α, where p = softmax(z) is the model's
/// distribution: α > 1 sharpens, α = 1 is p itself, 0 < α < 1 flattens, α = 0 is uniform over
/// the allowed tokens, and α = +infinity is greedy.
///
/// Computed in log space, in `Double`: log q_i = α·log p_i − logsumexp_j(α·log p_j), where
/// log p_i − log p_best = z_i − max z, so w_i = exp(α·(z_i − max z)); no p^α under- or
/// overflows, and no α (up to +infinity) turns a weight into NaN.
///
/// **Equivalence with temperature.** p_i^α = exp(α·z_i) / (Σ_j exp z_j)^α, and the
/// denominator is the same for every i, so q = softmax(α·z) = softmax(z / T) with T = 1/α:
/// alpha-sharpening with α is temperature sampling at T = 1/α (tested: the distributions
/// agree to rounding and α = 2, T = 0.5 give the same text for the same seed).
public struct AlphaSharpening: LogitSampler {
    /// α ≥ 0 (+infinity allowed: greedy).
    public let alpha: Double
    private var weights: [Double] = []

    /// - Throws: ``GenerationError/invalidSetting(_:)`` unless α ≥ 0 (NaN is refused).
    public init(alpha: Double) throws {
        try require(alpha >= 0, "alpha must be ≥ 0 (got \(alpha)); alpha > 1 sharpens, alpha → infinity is greedy")
        self.alpha = alpha
    }

    /// The equivalent temperature 1/α (0 for α = +infinity, +infinity for α = 0).
    public var equivalentTemperature: Double { 1 / alpha }

    public mutating func sample<G: RandomNumberGenerator>(_ logits: UnsafeBufferPointer<Float>, using generator: inout G) -> Int {
        if alpha == .infinity { return SamplingKernels.argmax(logits) }
        if weights.count < logits.count { weights = [Double](repeating: 0, count: logits.count) }
        let u = uniform(using: &generator)
        let alpha = self.alpha
        return weights.withUnsafeMutableBufferPointer { w in
            let total = Self.weights(logits, alpha: alpha, into: w.baseAddress!)
            return SamplingKernels.draw(w.baseAddress!, count: logits.count, total: total, u: u)
        }
    }

    public mutating func distribution(_ logits: [Float]) -> [Double] {
        if alpha == .infinity { var g = Greedy(); return g.distribution(logits) }
        var w = [Double](repeating: 0, count: logits.count)
        let alpha = self.alpha
        let total = logits.withUnsafeBufferPointer { Self.weights($0, alpha: alpha, into: &w) }
        return w.map { $0 / total }
    }

    /// w_i = exp(α·log p_i − max_j α·log p_j) (0 for masked ids); returns Σ w.
    ///
    /// α·log p_i − α·log p_best = α·(z_i − lse) − α·(z_best − lse) = α·(z_i − z_best): the
    /// log-sum-exp cancels, so the weights are temperature's with scale α, computed without it
    /// (subtracting two terms that each overflow to -infinity for a huge α would give NaN).
    @inline(__always)
    static func weights(_ z: UnsafeBufferPointer<Float>, alpha: Double, into w: UnsafeMutablePointer<Double>) -> Double {
        SamplingKernels.weights(z, scale: alpha, into: w)
    }
}
