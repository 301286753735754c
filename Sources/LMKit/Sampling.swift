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

    /// The same strategy as `lm-generate`'s options.
    var options: SamplingOptions {
        switch self {
        case .greedy: SamplingOptions(strategy: .greedy)
        case let .temperature(t): SamplingOptions(strategy: .temperature, temperature: t)
        case let .topK(k, t): SamplingOptions(strategy: .topK, temperature: t == 1 ? nil : t, topK: k)
        case let .topP(p, t): SamplingOptions(strategy: .topP, temperature: t == 1 ? nil : t, topP: p)
        }
    }
}
