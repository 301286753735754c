/// Dropout settings of a language model (`config.json` key `"dropout"`): inverted dropout,
/// applied only in training windows (a forward given a ``DropoutKey``); evaluation and
/// generation never drop. Probabilities are in [0, 1); kept values are scaled by 1/(1 − p).
///
/// Places (Zaremba et al.: non-recurrent connections only): ``input`` on the embedding
/// output before layer 0, ``hidden`` on each layer's output feeding the next layer,
/// ``output`` on the top layer's output before the head. ``locked`` draws one mask per
/// sequence and element for the whole window (Gal & Ghahramani; AWD-LSTM's `LockedDropout`)
/// instead of a fresh one per step. ``embedding`` drops whole vocabulary rows of the
/// embedding per window (AWD-LSTM's `embedded_dropout`); ``weightDrop`` is DropConnect on
/// every layer's W_hh, one mask per window (AWD-LSTM's `WeightDrop`).
public struct Dropout: Codable, Equatable, Sendable {
    /// Probability of dropping an embedding output element (needs an embedding).
    public var input: Double
    /// Probability of dropping an element between two recurrent layers.
    public var hidden: Double
    /// Probability of dropping an element of the top layer's output.
    public var output: Double
    /// One mask per sequence and element reused across a window's steps (false: a fresh
    /// mask per element and step).
    public var locked: Bool
    /// Probability of dropping a whole row of the embedding matrix for a window (needs an embedding).
    public var embedding: Double
    /// Probability of dropping an element of each layer's W_hh for a window.
    public var weightDrop: Double

    /// Dropout at the given places; all off by default.
    public init(input: Double = 0, hidden: Double = 0, output: Double = 0, locked: Bool = false,
                embedding: Double = 0, weightDrop: Double = 0) {
        self.input = input
        self.hidden = hidden
        self.output = output
        self.locked = locked
        self.embedding = embedding
        self.weightDrop = weightDrop
    }

    /// No dropout anywhere.
    public static let off = Dropout()

    /// Whether no place drops anything (``locked`` alone changes nothing).
    public var isOff: Bool { input == 0 && hidden == 0 && output == 0 && embedding == 0 && weightDrop == 0 }

    private enum CodingKeys: String, CodingKey { case input, hidden, output, locked, embedding, weightDrop }

    /// Decodes settings; every field may be omitted (0, or false for `locked`).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        input = try c.decodeIfPresent(Double.self, forKey: .input) ?? 0
        hidden = try c.decodeIfPresent(Double.self, forKey: .hidden) ?? 0
        output = try c.decodeIfPresent(Double.self, forKey: .output) ?? 0
        locked = try c.decodeIfPresent(Bool.self, forKey: .locked) ?? false
        embedding = try c.decodeIfPresent(Double.self, forKey: .embedding) ?? 0
        weightDrop = try c.decodeIfPresent(Double.self, forKey: .weightDrop) ?? 0
    }

    /// Throws ``SettingsError`` (keys `model.dropout.*`) for a probability outside [0, 1), or
    /// input or embedding dropout without an embedding.
    public func validate(hasEmbedding: Bool) throws {
        for (name, p) in [("input", input), ("hidden", hidden), ("output", output), ("embedding", embedding), ("weightDrop", weightDrop)]
        where !(p >= 0 && p < 1) {
            let key = "model.dropout." + name
            throw SettingsError(.outOfRange, key, "\(setting: key) \(p): a dropout probability must be in [0, 1)")
        }
        for (name, p, what) in [("input", input, "embedding output"), ("embedding", embedding, "embedding rows")] where !hasEmbedding && p > 0 {
            let key = "model.dropout." + name
            throw SettingsError(.requires, key, "\(setting: key) needs \(setting: "model.embeddingSize") (one-hot input has no \(what) to drop)")
        }
    }
}
