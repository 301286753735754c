import RealModule
/// Top-k sampling: keep the k tokens with the largest logits (lower id first on ties),
/// renormalize, draw. With a temperature the logits are scaled first, then cut (the usual
/// order; scaling by 1/T > 0 does not change which k are best, only their weights).
///
/// Never emits a token outside the k best; k ≥ vocabulary size keeps every token, k = 1 is
/// greedy. The k best are found with a heap over a reused buffer: O(V + k log V) per token.
public struct TopK: LogitSampler {
    /// k ≥ 1.
    public let k: Int
    /// T > 0 applied before the cut.
    public let temperature: Double
    private var buffers = RankingBuffers()

    /// - Throws: ``GenerationError/invalidSetting(_:)`` unless k ≥ 1 and T is positive and finite.
    public init(k: Int, temperature: Double = 1) throws {
        try require(k >= 1, "top-k needs k ≥ 1 (got \(k))")
        try require(temperature > 0 && temperature.isFinite, "temperature must be positive and finite (got \(temperature))")
        self.k = k
        self.temperature = temperature
    }

    public mutating func sample<G: RandomNumberGenerator>(_ logits: UnsafeBufferPointer<Float>, using generator: inout G) -> Int {
        let u = uniform(using: &generator)
        return withKept(logits) { SamplingKernels.draw($0, order: $1, count: $2, total: $3, u: u) }
    }

    public mutating func distribution(_ logits: [Float]) -> [Double] {
        logits.withUnsafeBufferPointer { z in
            withKept(z) { SamplingKernels.keptDistribution($0, order: $1, count: $2, total: $3, size: z.count) }
        }
    }

    /// Runs `body` with the weights, the kept ids best first, their count and their total weight.
    private mutating func withKept<R>(_ z: UnsafeBufferPointer<Float>,
                                       _ body: (UnsafePointer<Double>, UnsafePointer<Int32>, Int, Double) -> R) -> R {
        let k = self.k, scale = 1 / temperature
        return buffers.with(count: z.count) { w, h, o in
            let n = TopK.selectBest(z, k: k, heap: h, into: o)
            let total = TopK.weights(z, scale: scale, of: o, count: n, into: w)
            return body(w, o, n, total)
        }
    }

    /// Writes the best `min(k, unmasked)` ids, best first, to `order`; returns their count.
    static func selectBest(_ z: UnsafeBufferPointer<Float>, k: Int, heap: UnsafeMutablePointer<Int32>,
                           into order: UnsafeMutablePointer<Int32>) -> Int {
        var selection = RankedSelection(z, heap: heap)
        var n = 0
        while n < k, let id = selection.pop(z, heap: heap) {
            order[n] = id
            n += 1
        }
        return n
    }

    /// w_i = exp(scale · (z_i − z_best)) for the `n` ids in `order` (best first); returns Σ.
    static func weights(_ z: UnsafeBufferPointer<Float>, scale: Double, of order: UnsafePointer<Int32>, count n: Int,
                        into w: UnsafeMutablePointer<Double>) -> Double {
        guard n > 0 else { return 0 }
        let m = Double(z[Int(order[0])])
        var total = 0.0
        for j in 0..<n {
            let i = Int(order[j])
            let e = SamplingKernels.weight(below: Double(z[i]) - m, scale: scale)
            w[i] = e
            total += e
        }
        return total
    }
}
