/// Greedy decoding: the token with the largest logit (the lowest id on ties, as
/// `torch.argmax`, which d2l's `predict` uses). Consumes no randomness.
public struct Greedy: LogitSampler {
    public init() {}

    public mutating func sample<G: RandomNumberGenerator>(_ logits: UnsafeBufferPointer<Float>, using generator: inout G) -> Int {
        SamplingKernels.argmax(logits)
    }

    public mutating func distribution(_ logits: [Float]) -> [Double] {
        var p = [Double](repeating: 0, count: logits.count)
        if !logits.isEmpty { p[logits.withUnsafeBufferPointer { SamplingKernels.argmax($0) }] = 1 }
        return p
    }
}
