/// Everything needed to rebuild a model's architecture: the `model` part of ``TrainingSettings``
/// and of `config.json`.
public struct ModelConfig: Codable, Equatable, Sendable {
    /// A recurrent cell kind, by name: `config.json`'s `kind`, `lm-train --model`, and the
    /// prefix of a layer's parameter names (`lstm.0.W_xh`). Encoded as the bare name.
    ///
    /// Any name decodes; which names are cells is the model layer's to say (its cell
    /// registry, `CellRegistry`), and building or sizing a model of an unknown kind throws a
    /// ``SettingsError`` for `model.kind`. The three built-in names are declared here because
    /// settings rules mention them; a new kind declares its constant in its cell's own file.
    public struct Kind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
        /// The name.
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Elman RNN: H = act(X W_xh + H W_hh + b_h).
        public static let rnn = Kind(rawValue: "rnn")
        /// Gated recurrent unit (d2l 9.7).
        public static let gru = Kind(rawValue: "gru")
        /// Long short-term memory (d2l 9.8).
        public static let lstm = Kind(rawValue: "lstm")
    }

    /// Where a GRU applies its reset gate; the two are different models with the same shapes.
    public enum GRUVariant: String, Codable, Sendable, CaseIterable {
        /// d2l's (Cho et al. 2014): H̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h).
        case d2l
        /// PyTorch's `nn.GRU` (cuDNN's; Keras `reset_after`): the reset gate scales the
        /// recurrent product, n = tanh(X W_xn + b_n + R ⊙ (H W_hn + b_hn)).
        case pytorch
    }

    /// The RNN cell's nonlinearity (GRU and LSTM always use tanh and sigmoid).
    public enum Activation: String, Codable, Sendable, CaseIterable {
        case tanh, relu
    }

    /// Weight initialisation. Encoded as `{"scheme": "normal", "scale": 0.01}`,
    /// `{"scheme": "xavier_uniform"}`, `{"scheme": "uniform", "scale": a}` or
    /// `{"scheme": "pytorch"}`.
    public enum Initialization: Codable, Equatable, Sendable {
        /// d2l's scratch models: weights N(0, 1) × scale (0.01), biases zero.
        case normal(scale: Double)
        /// Xavier/Glorot uniform: U(±√(6 / (fan_in + fan_out))) per gate block, biases zero.
        case xavierUniform
        /// U(±a) for every weight and bias (PyTorch's default uses a = 1/√hidden).
        case uniform(bound: Double)
        /// PyTorch's module defaults, per part: recurrent weights and biases U(±1/√H)
        /// (`nn.RNN`, `nn.GRU`, `nn.LSTM`), the embedding N(0, 1) (`nn.Embedding`), the head's
        /// weight and bias U(±1/√fan_in) with fan_in = H (`nn.Linear`).
        case pytorch

        /// d2l's `normal × 0.01`.
        public static let d2l = Initialization.normal(scale: 0.01)

        private enum CodingKeys: String, CodingKey { case scheme, scale }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let scheme = try c.decode(String.self, forKey: .scheme)
            switch scheme {
            case "normal": self = .normal(scale: try c.decode(Double.self, forKey: .scale))
            case "xavier_uniform": self = .xavierUniform
            case "uniform": self = .uniform(bound: try c.decode(Double.self, forKey: .scale))
            case "pytorch": self = .pytorch
            default:
                throw DecodingError.dataCorruptedError(forKey: .scheme, in: c,
                    debugDescription: "unknown initialization scheme \"\(scheme)\" (use normal, xavier_uniform, uniform or pytorch)")
            }
        }

        public func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            switch self {
            case .normal(let s): try c.encode("normal", forKey: .scheme); try c.encode(s, forKey: .scale)
            case .xavierUniform: try c.encode("xavier_uniform", forKey: .scheme)
            case .uniform(let a): try c.encode("uniform", forKey: .scheme); try c.encode(a, forKey: .scale)
            case .pytorch: try c.encode("pytorch", forKey: .scheme)
            }
        }

        /// Throws ``SettingsError`` for a non-positive scale or bound; `key` names the setting.
        func validate(_ key: String) throws {
            switch self {
            case .normal(let s) where !(s > 0 && s.isFinite):
                throw SettingsError(.outOfRange, key, "\(setting: key): normal initialization scale \(s) must be positive and finite")
            case .uniform(let a) where !(a > 0 && a.isFinite):
                throw SettingsError(.outOfRange, key, "\(setting: key): uniform initialization bound \(a) must be positive and finite")
            default: break
            }
        }
    }

    /// Cell type.
    public var kind: Kind
    /// RNN nonlinearity (must be `.tanh` for GRU and LSTM).
    public var activation: Activation
    /// Number of token ids (input one-hot width and output logits).
    public var vocabularySize: Int
    /// Learned embedding width, or nil for one-hot input (d2l's scratch models).
    public var embeddingSize: Int?
    /// Hidden units of each layer (JSON `hiddenSize`: a number, or one width per layer).
    public var layerWidths: LayerWidths
    /// The top layer's width, which the head reads (every layer's, when they are equal).
    /// Setting it makes every layer this wide.
    public var hiddenSize: Int {
        get { layerWidths.top }
        set { layerWidths = .uniform(newValue) }
    }
    /// Number of stacked recurrent layers (≥ 1).
    public var layers: Int
    /// Weight initialisation.
    public var initialization: Initialization
    /// Whether the output head reuses the embedding (V × E) as its weight, transposed
    /// (Press & Wolf 2017): logits = H · Eᵀ + b_q, and no `output.W_hq`. Needs an embedding
    /// and the top layer's width (``hiddenSize``) equal to `embeddingSize`. JSON `tied`, default false.
    public var tied = false
    /// Whether each layer has a second bias `<kind>.<l>.b_hh` (1 × G·H) as PyTorch's cells
    /// do; the gates then use b_h + b_hh. JSON `recurrentBias`, default false.
    public var recurrentBias = false
    /// The embedding's initialisation, or nil for ``initialization``. JSON `embeddingInitialization`.
    public var embeddingInitialization: Initialization?
    /// The output head's initialisation, or nil for ``initialization``. JSON `outputInitialization`.
    public var outputInitialization: Initialization?
    /// An LSTM's forget-gate bias after initialisation (char-rnn uses 1), or nil to leave it
    /// as initialised. With ``recurrentBias`` it is set in b_h and b_hh's forget block is
    /// zeroed, so the gate's total bias is this value. JSON `forgetBias`.
    public var forgetBias: Double?
    /// Dropout in training windows (`"dropout"`; off when omitted).
    public var dropout = Dropout.off
    /// A GRU's reset-gate placement (`--gru-variant`). JSON `gruVariant`, default d2l.
    public var gruVariant = GRUVariant.d2l
    /// An adaptive softmax head (``AdaptiveSoftmax``, `--adaptive-softmax`) instead of the dense
    /// one, or nil for the dense head. JSON `adaptiveSoftmax`, absent by default.
    public var adaptiveSoftmax: AdaptiveSoftmax?
    /// AR and TAR on the top layer's output in training (``ActivationRegularization``, `--ar`,
    /// `--tar`). JSON `activationRegularization`, off (and not written) by default.
    public var activationRegularization = ActivationRegularization.off

    /// A configuration; call ``validate()`` (the model's initialiser does).
    public init(kind: Kind, activation: Activation = .tanh, vocabularySize: Int, embeddingSize: Int? = nil,
                hiddenSize: Int, layers: Int = 1, initialization: Initialization = .d2l) {
        self.kind = kind
        self.activation = activation
        self.vocabularySize = vocabularySize
        self.embeddingSize = embeddingSize
        self.layerWidths = .uniform(hiddenSize)
        self.layers = layers
        self.initialization = initialization
    }

    private enum CodingKeys: String, CodingKey {
        case kind, activation, vocabularySize, embeddingSize, hiddenSize, layers, initialization
        case tied, recurrentBias, embeddingInitialization, outputInitialization, forgetBias
        case dropout, gruVariant, adaptiveSoftmax, activationRegularization
    }

    /// Decodes a configuration; `activation` (tanh), `embeddingSize` (one-hot), `layers` (1),
    /// `initialization` (d2l), `tied` and `recurrentBias` (false), the initialisation
    /// overrides and `forgetBias` (none), `dropout` (off), `gruVariant` (d2l) and
    /// `adaptiveSoftmax` (the dense head) and `activationRegularization` (off) may be omitted;
    /// `hiddenSize` is a number or a list of widths, one per layer.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        activation = try c.decodeIfPresent(Activation.self, forKey: .activation) ?? .tanh
        vocabularySize = try c.decode(Int.self, forKey: .vocabularySize)
        embeddingSize = try c.decodeIfPresent(Int.self, forKey: .embeddingSize)
        layerWidths = try c.decode(LayerWidths.self, forKey: .hiddenSize)
        layers = try c.decodeIfPresent(Int.self, forKey: .layers) ?? 1
        initialization = try c.decodeIfPresent(Initialization.self, forKey: .initialization) ?? .d2l
        tied = try c.decodeIfPresent(Bool.self, forKey: .tied) ?? false
        recurrentBias = try c.decodeIfPresent(Bool.self, forKey: .recurrentBias) ?? false
        embeddingInitialization = try c.decodeIfPresent(Initialization.self, forKey: .embeddingInitialization)
        outputInitialization = try c.decodeIfPresent(Initialization.self, forKey: .outputInitialization)
        forgetBias = try c.decodeIfPresent(Double.self, forKey: .forgetBias)
        dropout = try c.decodeIfPresent(Dropout.self, forKey: .dropout) ?? .off
        gruVariant = try c.decodeIfPresent(GRUVariant.self, forKey: .gruVariant) ?? .d2l
        adaptiveSoftmax = try c.decodeIfPresent(AdaptiveSoftmax.self, forKey: .adaptiveSoftmax)
        activationRegularization = try c.decodeIfPresent(ActivationRegularization.self, forKey: .activationRegularization) ?? .off
    }

    /// Encodes every field the decoder reads; the optional ones only when set, and
    /// `activationRegularization` only when on (so a run without it writes what earlier
    /// versions wrote).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(activation, forKey: .activation)
        try c.encode(vocabularySize, forKey: .vocabularySize)
        try c.encodeIfPresent(embeddingSize, forKey: .embeddingSize)
        try c.encode(layerWidths, forKey: .hiddenSize)
        try c.encode(layers, forKey: .layers)
        try c.encode(initialization, forKey: .initialization)
        try c.encode(tied, forKey: .tied)
        try c.encode(recurrentBias, forKey: .recurrentBias)
        try c.encodeIfPresent(embeddingInitialization, forKey: .embeddingInitialization)
        try c.encodeIfPresent(outputInitialization, forKey: .outputInitialization)
        try c.encodeIfPresent(forgetBias, forKey: .forgetBias)
        try c.encode(dropout, forKey: .dropout)
        try c.encode(gruVariant, forKey: .gruVariant)
        try c.encodeIfPresent(adaptiveSoftmax, forKey: .adaptiveSoftmax)
        if !activationRegularization.isOff { try c.encode(activationRegularization, forKey: .activationRegularization) }
    }

    /// The width of layer `l` (0 is the bottom).
    public func hiddenSize(ofLayer l: Int) -> Int { layerWidths.width(ofLayer: l) }

    /// Throws ``SettingsError`` naming the offending setting (`model.hiddenSize`, …): a
    /// count below 1, per-layer widths not one per layer, a setting its cell does not have, a
    /// tied head whose embedding is not as wide as the top layer, dropout, adaptive-softmax or
    /// activation-regularization settings that cannot work.
    public func validate() throws {
        func atLeastOne(_ value: Int, _ key: String, _ hint: String = "") throws {
            if value < 1 { throw SettingsError(.outOfRange, key, "\(setting: key) must be at least 1\(hint) (got \(value))") }
        }
        try atLeastOne(vocabularySize, "model.vocabularySize")
        try layerWidths.validate(layers: layers)
        try atLeastOne(layers, "model.layers")
        if let e = embeddingSize { try atLeastOne(e, "model.embeddingSize", " (omit it for one-hot input)") }
        if activation == .relu && kind != .rnn {
            throw SettingsError(.requires, "model.activation", "\(setting: "model.activation") relu applies to the rnn cell only; \(kind.rawValue) uses tanh")
        }
        try initialization.validate("model.initialization")
        try embeddingInitialization?.validate("model.embeddingInitialization")
        try outputInitialization?.validate("model.outputInitialization")
        if embeddingInitialization != nil && embeddingSize == nil {
            throw SettingsError(.requires, "model.embeddingInitialization",
                                "\(setting: "model.embeddingInitialization") needs an embedding; set \(setting: "model.embeddingSize") or drop it")
        }
        if let b = forgetBias {
            if kind != .lstm {
                throw SettingsError(.requires, "model.forgetBias", "\(setting: "model.forgetBias") applies to the lstm cell only; \(kind.rawValue) has no forget gate")
            }
            if !b.isFinite { throw SettingsError(.outOfRange, "model.forgetBias", "\(setting: "model.forgetBias") must be a finite number") }
        }
        if tied {
            guard let e = embeddingSize else {
                throw SettingsError(.requires, "model.tied", "\(setting: "model.tied") reuses the V × E embedding as the output weights, and one-hot input has none; add \(setting: "model.embeddingSize") \(hiddenSize) (the \(setting: "model.hiddenSize") width)")
            }
            if e != hiddenSize, case .perLayer = layerWidths {
                throw SettingsError(.conflict, "model.tied", "\(setting: "model.tied") reuses the V × E embedding as the output weights, so the top layer's \(setting: "model.hiddenSize") (\(hiddenSize)) must equal \(setting: "model.embeddingSize") (\(e)); make the last width \(e)")
            } else if e != hiddenSize {
                throw SettingsError(.conflict, "model.tied", "\(setting: "model.tied") reuses the V × E embedding as the output weights, so \(setting: "model.hiddenSize") (\(hiddenSize)) must equal \(setting: "model.embeddingSize") (\(e)); set both to the same width")
            }
        }
        try dropout.validate(hasEmbedding: embeddingSize != nil)
        try activationRegularization.validate()
        if gruVariant != .d2l && kind != .gru {
            throw SettingsError(.requires, "model.gruVariant", "\(setting: "model.gruVariant") applies to the gru cell only; \(kind.rawValue) has no reset gate")
        }
        if let a = adaptiveSoftmax {
            if tied {
                throw SettingsError(.conflict, "model.adaptiveSoftmax", "\(setting: "model.adaptiveSoftmax") replaces the dense output weights that \(setting: "model.tied") shares with the embedding; give one of them")
            }
            try a.validate(vocabularySize: vocabularySize, hiddenSize: hiddenSize)
        }
    }

    /// The hidden width when none is given: 512 for an RNN, 256 for a GRU or LSTM (d2l 9.5, 9.7, 9.8).
    public static func defaultHiddenSize(for kind: Kind) -> Int { kind == .rnn ? 512 : 256 }
}
