/// One continuation found by beam search (``BeamSearch``).
public struct BeamHypothesis: Equatable, Sendable {
    /// The generated ids, without the prefix; a finished hypothesis ends with `<eos>`.
    public var tokens: [Int32]
    /// The sum of the tokens' log-probabilities under the model (nats, ≤ 0; `<eos>` included).
    public var logProbability: Double
    /// What the hypotheses were ranked by: `logProbability / tokens.count^α`
    /// (``BeamSearch/score(logProbability:length:)``).
    public var score: Double
    /// Whether it ended at `<eos>` (``BeamSearch/stopAtEndOfSequence``).
    public var finished: Bool

    /// The ids its text is made of: ``tokens`` without a finished hypothesis's final `<eos>`
    /// (which ends the text rather than adding to it).
    public var textTokens: ArraySlice<Int32> { finished ? tokens.dropLast() : tokens[...] }

    public init(tokens: [Int32], logProbability: Double, score: Double, finished: Bool) {
        self.tokens = tokens
        self.logProbability = logProbability
        self.score = score
        self.finished = finished
    }
}
