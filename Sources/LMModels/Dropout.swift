import LMTensor

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

    /// Throws ``ModelError/invalidConfiguration(_:)`` for a probability outside [0, 1), or
    /// input or embedding dropout without an embedding.
    public func validate(hasEmbedding: Bool) throws {
        for (name, p) in [("input", input), ("hidden", hidden), ("output", output), ("embedding", embedding), ("weightDrop", weightDrop)]
        where !(p >= 0 && p < 1) {
            throw ModelError.invalidConfiguration("dropout.\(name) is \(p); a dropout probability must be in [0, 1)")
        }
        if !hasEmbedding && input > 0 {
            throw ModelError.invalidConfiguration("dropout.input is \(input) but the input is one-hot; give an embedding width or set it to 0")
        }
        if !hasEmbedding && embedding > 0 {
            throw ModelError.invalidConfiguration("dropout.embedding is \(embedding) but the input is one-hot; give an embedding width or set it to 0")
        }
    }
}

/// What a training window's dropout masks are a pure function of: the run's dropout seed,
/// the window's index in the run, and where this process's sequences start in the global
/// batch. Restoring the window counter on resume draws the same masks; a process owning
/// sequences [o, o + b) of a larger batch (`streamOffset` o) draws the masks one process
/// with the whole batch draws for them.
public struct DropoutKey: Equatable, Sendable {
    /// The run's dropout seed.
    public var seed: UInt64
    /// The window's index in the run (0 for the first training window).
    public var window: UInt64
    /// Global index of this batch's sequence 0.
    public var streamOffset: Int

    public init(seed: UInt64, window: UInt64, streamOffset: Int = 0) {
        self.seed = seed
        self.window = window
        self.streamOffset = streamOffset
    }
}

/// The counter-based hash behind every dropout mask.
///
/// A mask element is kept when 32 random bits u satisfy u ≥ ⌊p · 2³²⌋ (probability ≈ 1 − p).
/// The bits of element j of the row (place, layer, stream, step) are
/// `half(splitMix64 output ⌊j/2⌋ from state rowBase)`, the high 32 bits for even j and the
/// low 32 for odd j, where rowBase = c(c(c(c(c(seed, window), place), layer), stream), step)
/// with c(h, v) = fmix(h ⊕ (v + γ)), fmix the SplitMix64 finalizer and γ = 0x9E3779B97F4A7C15.
/// Output ⌊j/2⌋ = k is fmix(rowBase + (k + 1)·γ). Nothing depends on the order of generation,
/// so rows may be filled on any thread.
public enum DropoutHash {
    /// Where a mask applies (part of its hash).
    public enum Place: UInt64, Sendable {
        case input = 1, hidden = 2, output = 3, embedding = 4, weight = 5
    }

    static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The SplitMix64 finalizer.
    @inline(__always)
    public static func fmix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    static func combine(_ h: UInt64, _ v: UInt64) -> UInt64 { fmix(h ^ (v &+ gamma)) }

    /// The state a row's elements are drawn from.
    @inline(__always)
    public static func rowBase(_ key: DropoutKey, place: Place, layer: Int, stream: Int, step: Int) -> UInt64 {
        var h = combine(key.seed, key.window)
        h = combine(h, place.rawValue)
        h = combine(h, UInt64(layer))
        h = combine(h, UInt64(bitPattern: Int64(stream)))
        return combine(h, UInt64(step))
    }

    /// The drop threshold on 32 random bits: ⌊p · 2³²⌋.
    public static func threshold(_ p: Double) -> UInt64 { UInt64(p * 4_294_967_296) }

    /// Fills `count` scale values (0 or `scale`) of one row: element j keeps when its bits
    /// reach `threshold`.
    @inline(__always)
    static func fillRow<T: TensorScalar>(_ dst: UnsafeMutablePointer<T>, count: Int, base: UInt64,
                                         threshold: UInt64, scale: T) {
        var j = 0
        var k: UInt64 = 1
        while j + 1 < count {
            let z = fmix(base &+ k &* gamma)
            dst[j] = (z >> 32) >= threshold ? scale : 0
            dst[j + 1] = (z & 0xFFFF_FFFF) >= threshold ? scale : 0
            j += 2
            k += 1
        }
        if j < count {
            let z = fmix(base &+ k &* gamma)
            dst[j] = (z >> 32) >= threshold ? scale : 0
        }
    }
}
