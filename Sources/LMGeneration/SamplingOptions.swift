/// The decoding strategy as `lm-generate`'s options give it, and the ``LogitSampler`` it
/// resolves to (or, for beam search, the ``BeamSearch``). With no `strategy`, the options
/// given choose it (beams, else top-p, else top-k, else alpha, else temperature, else greedy).
/// Combinations scale first, then cut: a temperature (or α, as temperature 1/α) with top-k
/// and/or top-p. Beam search takes none of the sampling options: it draws nothing.
public struct SamplingOptions: Equatable, Sendable {
    /// A decoding strategy by name.
    public enum Strategy: String, CaseIterable, Sendable {
        case greedy, temperature, alpha
        case topK = "top-k"
        case topP = "top-p"
        /// Beam search (``BeamSearch``): the most likely continuations, not a draw.
        case beam
    }

    /// The strategy asked for; nil to follow from the other options.
    public var strategy: Strategy?
    /// Temperature T > 0: softmax(logits / T).
    public var temperature: Double?
    /// Sharpening α ≥ 0: p^α renormalized (α = 1/T; infinity is greedy).
    public var alpha: Double?
    /// Keep the K most likely tokens (K ≥ 1).
    public var topK: Int?
    /// Keep the smallest set of most likely tokens with mass ≥ P (0 < P ≤ 1).
    public var topP: Double?
    /// Beam search's width K (1 ... ``BeamSearch/maximumBeams``).
    public var beams: Int?
    /// Beam search's length penalty α ≥ 0: hypotheses ranked by log-probability / lengthᵅ (default 0).
    public var lengthPenalty: Double?
    /// Beam search finishes a hypothesis at `<eos>` (a word-level vocabulary built with it).
    public var stopAtEOS: Bool

    public init(strategy: Strategy? = nil, temperature: Double? = nil, alpha: Double? = nil, topK: Int? = nil,
                topP: Double? = nil, beams: Int? = nil, lengthPenalty: Double? = nil, stopAtEOS: Bool = false) {
        self.strategy = strategy
        self.temperature = temperature
        self.alpha = alpha
        self.topK = topK
        self.topP = topP
        self.beams = beams
        self.lengthPenalty = lengthPenalty
        self.stopAtEOS = stopAtEOS
    }

    /// The strategy asked for, explicitly or by the options given.
    public var resolvedStrategy: Strategy {
        if let strategy { return strategy }
        if beams != nil { return .beam }
        if topP != nil { return .topP }
        if topK != nil { return .topK }
        if alpha != nil { return .alpha }
        if temperature != nil { return .temperature }
        return .greedy
    }

    /// Whether the sampler draws random numbers (everything but greedy, beam and α = infinity).
    public var drawsRandomly: Bool {
        let strategy = resolvedStrategy
        return strategy != .greedy && strategy != .beam && !(strategy == .alpha && alpha == .infinity)
    }

    /// The beam search the options ask for (nil unless the strategy is beam with a width).
    public var beamSearch: BeamSearch? {
        guard resolvedStrategy == .beam, let beams else { return nil }
        return BeamSearch(beams: beams, lengthPenalty: lengthPenalty ?? 0, stopAtEndOfSequence: stopAtEOS)
    }

    /// Throws ``GenerationError/invalidSetting(_:)`` for a value out of range or a combination
    /// that has no meaning (the messages name `lm-generate`'s options).
    public func validate() throws {
        if let temperature, !(temperature > 0 && temperature.isFinite) {
            throw invalid("sampling.temperature must be positive and finite (got \(temperature)); use sampling.strategy greedy for T → 0")
        }
        if let alpha, !(alpha >= 0) { throw invalid("sampling.alpha must be ≥ 0 (got \(alpha)); α > 1 sharpens, inf is greedy") }
        if let topK, topK < 1 { throw invalid("sampling.topK must be ≥ 1 (got \(topK))") }
        if let topP, !(topP > 0 && topP <= 1) { throw invalid("sampling.topP must be in (0, 1] (got \(topP))") }
        if let beams, !(1...BeamSearch.maximumBeams).contains(beams) {
            throw invalid("sampling.beams must be in 1...\(BeamSearch.maximumBeams) (got \(beams))")
        }
        if let lengthPenalty, !(lengthPenalty >= 0 && lengthPenalty.isFinite) {
            throw invalid("sampling.lengthPenalty must be finite and ≥ 0 (got \(lengthPenalty)); 0 ranks by probability, 1 by the mean per token")
        }
        if temperature != nil && alpha != nil {
            throw invalid("give sampling.temperature or sampling.alpha, not both (α is temperature 1/α)")
        }
        if resolvedStrategy != .beam {
            for (given, name) in [(beams != nil, "sampling.beams"), (lengthPenalty != nil, "sampling.lengthPenalty"), (stopAtEOS, "sampling.stopAtEOS")] where given {
                throw invalid("\(name) applies to sampling.strategy beam")
            }
        }
        switch resolvedStrategy {
        case .beam:
            if beams == nil { throw invalid("sampling.strategy beam needs sampling.beams K") }
            for (given, name) in [(temperature != nil, "sampling.temperature"), (alpha != nil, "sampling.alpha"), (topK != nil, "sampling.topK"), (topP != nil, "sampling.topP")] where given {
                throw invalid("\(name) has no effect with sampling.strategy beam (it keeps the most likely continuations; it draws nothing)")
            }
        case .greedy:
            for (given, name) in [(temperature != nil, "sampling.temperature"), (alpha != nil, "sampling.alpha"), (topK != nil, "sampling.topK"), (topP != nil, "sampling.topP")] where given {
                throw invalid("\(name) has no effect with sampling.strategy greedy")
            }
        case .temperature:
            if alpha != nil { throw invalid("sampling.alpha applies to sampling.strategy alpha (α is temperature 1/α)") }
            if topK != nil || topP != nil { throw invalid("sampling.topK/sampling.topP need sampling.strategy top-k or top-p (the temperature is applied first)") }
        case .alpha:
            if alpha == nil { throw invalid("sampling.strategy alpha needs sampling.alpha A") }
            if topK != nil || topP != nil { throw invalid("sampling.topK/sampling.topP need sampling.strategy top-k or top-p (with sampling.alpha, applied first)") }
        case .topK, .topP:
            if let alpha, !(alpha > 0 && alpha.isFinite) {
                throw invalid("with sampling.topK/sampling.topP, sampling.alpha must be positive and finite (it scales as temperature 1/α)")
            }
        }
        switch resolvedStrategy {
        case .greedy, .temperature, .alpha, .beam:
            break
        case .topK:
            if topK == nil { throw invalid("sampling.strategy top-k needs sampling.topK K") }
            if topP != nil { throw invalid("sampling.topP needs sampling.strategy top-p (sampling.topK then cuts first)") }
        case .topP:
            if topP == nil { throw invalid("sampling.strategy top-p needs sampling.topP P") }
        }
    }

    private func invalid(_ message: String) -> GenerationError { .invalidSetting(message) }

    /// Validates, builds the sampler the options resolve to and hands it to `user` (a
    /// concrete type, so the token loop is specialized for it); beam search goes to
    /// ``SamplerUser/useBeam(_:)`` instead.
    public func withSampler<User: SamplerUser>(_ user: inout User) throws -> User.Result {
        try validate()
        // Scale (temperature, or alpha as temperature 1/α), then cut.
        let scale = temperature ?? alpha.map { 1 / $0 } ?? 1
        switch resolvedStrategy {
        case .greedy: var s = Greedy(); return try user.use(&s)
        case .temperature: var s = try Temperature(temperature ?? 1); return try user.use(&s)
        case .alpha: var s = try AlphaSharpening(alpha: alpha!); return try user.use(&s)
        case .topK: var s = try TopK(k: topK!, temperature: scale); return try user.use(&s)
        case .topP: var s = try TopP(p: topP!, temperature: scale, topK: topK); return try user.use(&s)
        case .beam: return try user.useBeam(beamSearch!)
        }
    }

    /// The sampler the options resolve to (for inspection; generation uses ``withSampler(_:)``).
    /// Beam search has none: it throws then.
    public func sampler() throws -> any LogitSampler {
        struct Boxing: SamplerUser {
            mutating func use<S: LogitSampler>(_ sampler: inout S) -> any LogitSampler { sampler }
        }
        var boxing = Boxing()
        return try withSampler(&boxing)
    }
}

/// Work done with a concrete ``LogitSampler`` (Swift closures cannot be generic), or with a
/// beam search, for ``SamplingOptions/withSampler(_:)``.
public protocol SamplerUser {
    associatedtype Result
    mutating func use<S: LogitSampler>(_ sampler: inout S) throws -> Result
    /// The work done when the strategy is beam search, which chooses whole sequences rather
    /// than one token at a time (by default: an error saying so).
    mutating func useBeam(_ search: BeamSearch) throws -> Result
}

extension SamplerUser {
    public mutating func useBeam(_ search: BeamSearch) throws -> Result {
        throw GenerationError.invalidSetting("sampling.strategy beam chooses whole sequences; it has no per-token sampler")
    }
}
