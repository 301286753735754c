import LMGeneration

/// How the next token is chosen from the model's distribution.
public enum Sampling: Equatable, Sendable {
    /// The most likely token (d2l's `predict`).
    case greedy
    /// A draw from softmax(logits / T), T > 0.
    case temperature(Double)
    /// A draw among the K most likely tokens (K ≥ 1), after scaling by the temperature.
    case topK(Int, temperature: Double = 1)
    /// A draw among the smallest set of most likely tokens with mass ≥ P (0 < P ≤ 1), after
    /// scaling by the temperature (nucleus sampling).
    case topP(Double, temperature: Double = 1)
    /// Beam search: the most likely continuation among `width` hypotheses kept side by side
    /// (1 ... 64; 1 is greedy), ranked by log-probability / lengthᵅ with α = `lengthPenalty`
    /// ≥ 0; with `stopAtEndOfSequence` a hypothesis ends at `<eos>` (word-level vocabularies
    /// built with it), which is where α matters. It draws nothing, and its text comes in one
    /// go once the search ends.
    case beam(width: Int, lengthPenalty: Double = 0, stopAtEndOfSequence: Bool = false)

    /// The same strategy as `lm-generate`'s options.
    var options: SamplingOptions {
        switch self {
        case .greedy: SamplingOptions(strategy: .greedy)
        case let .temperature(t): SamplingOptions(strategy: .temperature, temperature: t)
        case let .topK(k, t): SamplingOptions(strategy: .topK, temperature: t == 1 ? nil : t, topK: k)
        case let .topP(p, t): SamplingOptions(strategy: .topP, temperature: t == 1 ? nil : t, topP: p)
        case let .beam(width, alpha, stop):
            SamplingOptions(strategy: .beam, beams: width, lengthPenalty: alpha == 0 ? nil : alpha, stopAtEOS: stop)
        }
    }
}
