import LMText

/// One sequence's choice of its next token from a row of logits, the same for every caller
/// (``Generator`` and ``GenerationBatch``): the row is copied into a buffer the sampler reads,
/// `<unk>` is masked (its logit set to -infinity) unless allowed, and a NaN or infinite logit
/// is reported instead of sampled. The buffer is allocated once; choosing allocates nothing.
struct TokenChoice {
    private var row: [Float]
    /// The id masked (`<unk>`'s), or nil when `<unk>` may be chosen.
    let masked: Int?

    /// A choice over `vocabularySize` logits; `unknownID` is `<unk>`'s id, masked unless `allowUnknown`.
    init(vocabularySize: Int, unknownID: Int, allowUnknown: Bool) {
        row = [Float](repeating: 0, count: vocabularySize)
        masked = allowUnknown ? nil : unknownID
    }

    /// The token `sampler` draws from the `row.count` logits at `logits`, or nil when one of
    /// them is not finite (damaged weights).
    @inline(__always)
    mutating func choose<S: LogitSampler, G: RandomNumberGenerator>(
        _ logits: UnsafePointer<Float>, sampler: inout S, using generator: inout G
    ) -> Int32? {
        let masked = masked
        return row.withUnsafeMutableBufferPointer { r -> Int32? in
            var bad = false
            for i in 0..<r.count {
                let x = logits[i]
                if !x.isFinite { bad = true }
                r[i] = x
            }
            if bad { return nil }
            if let masked { r[masked] = -.infinity }
            return Int32(sampler.sample(UnsafeBufferPointer(r), using: &generator))
        }
    }
}
