/// Top-p (nucleus) sampling (Holtzman et al., 2020): keep the smallest set of most likely
/// tokens whose probability mass is at least p, renormalize, draw.
///
/// The usual order for combinations: scale by the temperature, then cut by top-k (when
/// given), then by top-p over the distribution that remains (renormalized), as Hugging Face's
/// warpers do. Tokens are ranked by logit (lower id first on ties) and added best first until
/// the cumulative mass reaches p · total; that set is the smallest one with mass ≥ p.
/// p = 1 keeps every token. The ranking uses a heap over reused buffers and stops as soon
/// as the mass is reached: O(V + m log V) per token for a nucleus of m tokens.
public struct TopP: LogitSampler {
    /// 0 < p ≤ 1.
    public let p: Double
    /// T > 0 applied before the cut.
    public let temperature: Double
    /// An optional top-k cut applied before the top-p one.
    public let topK: Int?
    private var buffers = RankingBuffers()

    /// - Throws: ``GenerationError/invalidSetting(_:)`` unless 0 < p ≤ 1, T is positive and
    ///   finite, and k (if any) ≥ 1.
    public init(p: Double, temperature: Double = 1, topK: Int? = nil) throws {
        try require(p > 0 && p <= 1, "top-p needs p in (0, 1] (got \(p))")
        try require(temperature > 0 && temperature.isFinite, "temperature must be positive and finite (got \(temperature))")
        if let topK { try require(topK >= 1, "top-k needs k ≥ 1 (got \(topK))") }
        self.p = p
        self.temperature = temperature
        self.topK = topK
    }

    public mutating func sample<G: RandomNumberGenerator>(_ logits: UnsafeBufferPointer<Float>, using generator: inout G) -> Int {
        let u = uniform(using: &generator)
        return withNucleus(logits) { SamplingKernels.draw($0, order: $1, count: $2, total: $3, u: u) }
    }

    public mutating func distribution(_ logits: [Float]) -> [Double] {
        logits.withUnsafeBufferPointer { z in
            withNucleus(z) { SamplingKernels.keptDistribution($0, order: $1, count: $2, total: $3, size: z.count) }
        }
    }

    /// Runs `body` with the weights, the nucleus best first, its size and its mass.
    private mutating func withNucleus<R>(_ z: UnsafeBufferPointer<Float>,
                                          _ body: (UnsafePointer<Double>, UnsafePointer<Int32>, Int, Double) -> R) -> R {
        let p = self.p, k = self.topK, scale = 1 / temperature
        return buffers.with(count: z.count) { w, h, o in
            var n = 0, mass = 0.0
            if let k {
                // Scale, cut to the k best, then the smallest prefix of them with mass ≥ p.
                let kept = TopK.selectBest(z, k: k, heap: h, into: o)
                let total = TopK.weights(z, scale: scale, of: o, count: kept, into: w)
                let target = p * total
                while n < kept {
                    mass += w[Int(o[n])]
                    n += 1
                    if mass >= target { break }
                }
            } else {
                // Scale over every token, then pop best first until the mass reaches p.
                let target = p * SamplingKernels.weights(z, scale: scale, into: w)
                var selection = RankedSelection(z, heap: h)
                while let id = selection.pop(z, heap: h) {
                    o[n] = id
                    n += 1
                    mass += w[Int(id)]
                    if mass >= target { break }
                }
            }
            return body(w, o, n, mass)
        }
    }
}
