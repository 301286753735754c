/// What a test-time evaluation adds to the model's own predictions: the continuous cache
/// pointer (``CachePointer``), dynamic evaluation (``DynamicEvaluation``), both (the pointer
/// then reads the dynamically updated model) or neither. `lm-eval` applies them to its text,
/// `lm-train` to its final test (``TrainingSettings/gains``); key paths `gains.cachePointer`
/// and `gains.dynamicEvaluation` name them in errors.
public struct EvaluationGains: Codable, Equatable, Sendable {
    /// The cache pointer; nil for none.
    public var cachePointer: CachePointer?
    /// Dynamic evaluation; nil for none.
    public var dynamicEvaluation: DynamicEvaluation?

    /// The given gains (none by default).
    public init(cachePointer: CachePointer? = nil, dynamicEvaluation: DynamicEvaluation? = nil) {
        self.cachePointer = cachePointer
        self.dynamicEvaluation = dynamicEvaluation
    }

    /// The key path of these settings in ``TrainingSettings`` (and in `lm-eval`'s request).
    public static let key = "gains"

    /// Whether neither gain is asked for (the evaluation is the plain one).
    public var isNone: Bool { cachePointer == nil && dynamicEvaluation == nil }

    /// The gains in words, for reports: "cache pointer 500,1.0,0.1 (window, theta, lambda),
    /// dynamic evaluation 0.002,0.0 (lr, decay)"; "none" for none.
    public var summary: String {
        let parts = [cachePointer.map { "cache pointer \($0.text) (window, theta, lambda)" },
                     dynamicEvaluation.map { "dynamic evaluation \($0.text) (lr, decay)" }].compactMap { $0 }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    /// Throws ``SettingsError`` (keys `gains.cachePointer.*`, `gains.dynamicEvaluation.*`) for
    /// a value that cannot work.
    public func validate() throws {
        try cachePointer?.validate(key: Self.key + ".cachePointer")
        try dynamicEvaluation?.validate(key: Self.key + ".dynamicEvaluation")
    }
}
