extension DataSettings {
    /// Variable-length truncated BPTT, as AWD-LSTM's `main.py` draws its windows (Merity et al.
    /// 2018, section 4.1; `lm-train --variable-steps HALF,SPREAD`; `data.variableSteps` in
    /// `config.json`). Before each window: a mean of ``DataSettings/steps`` (the base length),
    /// or half of it with probability ``halfProbability``; a length `max(5, ⌊N(mean, spread²)⌋)`
    /// (truncated toward zero, as Python's `int`); a window of at most `steps +`
    /// ``maximumExtraSteps`` steps (the buffers' width); and that step's learning rate
    /// `lr · length / steps`. AWD-LSTM's PTB values are ``awd``. Off (nil) the windows are fixed.
    public struct VariableSteps: Codable, Equatable, Sendable {
        /// Probability that a window's mean length is half the base length (AWD-LSTM: 0.05).
        public var halfProbability: Double
        /// Standard deviation of the drawn length, in steps (AWD-LSTM: 5).
        public var spread: Double

        /// Windows with the given half-length probability and spread.
        public init(halfProbability: Double, spread: Double) {
            self.halfProbability = halfProbability
            self.spread = spread
        }

        /// AWD-LSTM's: the half length with probability 0.05, spread 5.
        public static let awd = VariableSteps(halfProbability: 0.05, spread: 5)

        /// How many steps past the base length a window may reach: longer draws are cut there.
        public static let maximumExtraSteps = 20

        /// The forms ``init(parsing:)`` reads, for messages.
        public static let form = "HALF,SPREAD (AWD-LSTM: 0.05,5)"

        /// `HALF,SPREAD` as `lm-train --variable-steps` takes it (`0.05,5`); nil for other text.
        public init?(parsing text: String) {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2, let half = Double(parts[0]), let spread = Double(parts[1]) else { return nil }
            self.init(halfProbability: half, spread: spread)
        }

        /// The longest window for a base length of `steps`.
        public static func longestWindow(steps: Int) -> Int { steps + maximumExtraSteps }

        /// Throws ``SettingsError`` (keys `data.variableSteps.*`, `data.variableSteps`) for a
        /// probability outside [0, 1], a spread that is negative or not finite, or a sampler other
        /// than the parallel one (whose rows the windows walk).
        func validate(sampler: Sampler) throws {
            let key = "data.variableSteps"
            if !(0...1).contains(halfProbability) {
                throw SettingsError(.outOfRange, key + ".halfProbability", "\(setting: key + ".halfProbability") \(halfProbability): the half length's probability must be in [0, 1]")
            }
            if !(spread >= 0 && spread <= 1e6) {
                throw SettingsError(.outOfRange, key + ".spread", "\(setting: key + ".spread") \(spread): the spread must be a number of steps in [0, 1e6]")
            }
            if sampler != .parallel {
                throw SettingsError(.requires, key, "\(setting: key) walks the rows of \(setting: "data.sampler") parallel (AWD-LSTM's layout); \(sampler.rawValue) windows have a fixed length")
            }
        }
    }
}
