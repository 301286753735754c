/// Sampling from softmax(z / T): T < 1 sharpens, T > 1 flattens, T = 1 is the model's own
/// distribution, T → 0 approaches greedy.
///
/// Computed stably in `Double`: w_i = exp((z_i − max z) / T) over a reused buffer, then one
/// inverse-CDF draw (see ``LogitSampler``).
public struct Temperature: LogitSampler {
    /// T > 0.
    public let temperature: Double
    private var weights: [Double] = []

    /// - Throws: ``GenerationError/invalidSetting(_:)`` unless T is positive and finite.
    public init(_ temperature: Double) throws {
        try require(temperature > 0 && temperature.isFinite, "temperature must be positive and finite (got \(temperature))")
        self.temperature = temperature
    }

    public mutating func sample<G: RandomNumberGenerator>(_ logits: UnsafeBufferPointer<Float>, using generator: inout G) -> Int {
        if weights.count < logits.count { weights = [Double](repeating: 0, count: logits.count) }
        let u = uniform(using: &generator)
        let scale = 1 / temperature
        return weights.withUnsafeMutableBufferPointer { w in
            let total = SamplingKernels.weights(logits, scale: scale, into: w.baseAddress!)
            return SamplingKernels.draw(w.baseAddress!, count: logits.count, total: total, u: u)
        }
    }

    public mutating func distribution(_ logits: [Float]) -> [Double] {
        var w = [Double](repeating: 0, count: logits.count)
        let total = logits.withUnsafeBufferPointer { SamplingKernels.weights($0, scale: 1 / temperature, into: &w) }
        return w.map { $0 / total }
    }
}
