extension ModelConfig {
    /// The hidden width of each recurrent layer: `config.json`'s `hiddenSize`, a number when
    /// every layer is equally wide (`256`) or a list with one width per layer, bottom first
    /// (`[1150, 1150, 400]`, AWD-LSTM's PTB model). `lm-train --hidden` takes the same: `256`
    /// or `1150,1150,400`.
    public enum LayerWidths: Codable, Equatable, Sendable, CustomStringConvertible {
        /// Every layer is this wide.
        case uniform(Int)
        /// Layer l is `widths[l]` wide, bottom first; as many widths as the model has layers.
        case perLayer([Int])

        /// `widths` bottom first: ``uniform(_:)`` when they are all equal (one width, or
        /// `[400, 400]`), else ``perLayer(_:)``.
        public init(_ widths: [Int]) {
            if let first = widths.first, widths.allSatisfy({ $0 == first }) {
                self = .uniform(first)
            } else {
                self = .perLayer(widths)
            }
        }

        /// `256`, or the widths bottom first with commas (`1150,1150,400`), as `--hidden` takes them.
        public var description: String {
            switch self {
            case .uniform(let w): "\(w)"
            case .perLayer(let widths): widths.map(String.init).joined(separator: ",")
            }
        }

        /// The width of layer `l` (0 is the bottom); a per-layer list without layer `l` gives 0.
        public func width(ofLayer l: Int) -> Int {
            switch self {
            case .uniform(let w): w
            case .perLayer(let widths): widths.indices.contains(l) ? widths[l] : 0
            }
        }

        /// The top layer's width: what the head reads (0 for an empty list).
        public var top: Int {
            switch self {
            case .uniform(let w): w
            case .perLayer(let widths): widths.last ?? 0
            }
        }

        /// A number decodes as ``uniform(_:)``, a list as ``perLayer(_:)`` (as written).
        public init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let w = try? c.decode(Int.self) {
                self = .uniform(w)
            } else if let widths = try? c.decode([Int].self) {
                self = .perLayer(widths)
            } else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a width or a list of widths, one per layer")
            }
        }

        /// A number for ``uniform(_:)``, a list for ``perLayer(_:)``.
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .uniform(let w): try c.encode(w)
            case .perLayer(let widths): try c.encode(widths)
            }
        }

        /// Throws ``SettingsError`` (key `model.hiddenSize`) for a width below 1 or a list
        /// whose length is not `layers`.
        func validate(layers: Int) throws {
            let key = "model.hiddenSize"
            switch self {
            case .uniform(let w) where w < 1:
                throw SettingsError(.outOfRange, key, "\(setting: key) must be at least 1 (got \(w))")
            case .perLayer(let widths):
                if widths.count != layers {
                    throw SettingsError(.conflict, key, "\(setting: key) lists \(widths.count) widths but \(setting: "model.layers") is \(layers); give one width per layer")
                }
                if let bad = widths.enumerated().first(where: { $0.element < 1 }) {
                    throw SettingsError(.outOfRange, key, "\(setting: key) must be at least 1 for every layer (layer \(bad.offset) is \(bad.element))")
                }
            default: break
            }
        }
    }
}
