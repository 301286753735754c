extension ModelConfig {
    /// Activation regularization of the top layer's output, as AWD-LSTM trains it (Merity et
    /// al. 2018; salesforce/awd-lstm-lm `main.py`): `config.json` key
    /// `"activationRegularization"`, `{"ar": 2, "tar": 1}`, both off (0) when omitted.
    ///
    /// Over a training window of T steps × B sequences with the top layer H wide:
    /// - AR adds `ar · mean(D²)` to the objective, D the top layer's output after the output
    ///   dropout (what the head reads), the mean over all T·B·H elements;
    /// - TAR adds `tar · mean((R_{t+1} − R_t)²)`, R the same output before the dropout, the mean
    ///   over the (T − 1)·B·H differences of consecutive steps in the window (none when T = 1).
    ///
    /// Both add to the training gradient only; the loss a run reports stays the cross-entropy.
    public struct ActivationRegularization: Codable, Equatable, Sendable {
        /// α, the weight of AR (≥ 0; 0 is off).
        public var ar: Double
        /// β, the weight of TAR (≥ 0; 0 is off).
        public var tar: Double

        /// Weights `ar` (α) and `tar` (β); both off by default.
        public init(ar: Double = 0, tar: Double = 0) {
            self.ar = ar
            self.tar = tar
        }

        /// Neither term.
        public static let off = ActivationRegularization()

        /// Whether both weights are 0.
        public var isOff: Bool { ar == 0 && tar == 0 }

        private enum CodingKeys: String, CodingKey { case ar, tar }

        /// Decodes settings; either field may be omitted (0).
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            ar = try c.decodeIfPresent(Double.self, forKey: .ar) ?? 0
            tar = try c.decodeIfPresent(Double.self, forKey: .tar) ?? 0
        }

        /// Throws ``SettingsError`` (keys `model.activationRegularization.ar` and `.tar`) for a
        /// weight that is negative or not finite.
        func validate() throws {
            for (name, weight) in [("ar", ar), ("tar", tar)] where !(weight >= 0 && weight.isFinite) {
                let key = "model.activationRegularization." + name
                throw SettingsError(.outOfRange, key, "\(setting: key) \(weight): a regularization weight must be finite and at least 0")
            }
        }
    }
}
