import ArgumentParser
import LMSettings

/// The test-time gains' flags, shared by `lm-eval` (on its text) and `lm-train` (on its final
/// test): ``EvaluationGains``. The flags are read here; their values are checked by the library
/// (``EvaluationGains/validate()``, keys `gains.*`, named by these flags).
public struct GainsOptions: ParsableArguments {
    public init() {}

    @Option(parsing: .unconditional, help: "Continuous cache pointer (Grave et al. 2017, AWD-LSTM's pointer.py) WINDOW,THETA,LAMBDA, e.g. 500,1.0,0.1: mix the model's prediction with a softmax over the last WINDOW positions' top-layer outputs (scale THETA, share LAMBDA in [0, 1)). Reads the text as one sequence.")
    var cachePointer: String?
    @Option(parsing: .unconditional, help: "Dynamic evaluation (Krause et al. 2018, SGD) LR[,DECAY], e.g. 0.002,0.02: after scoring each window of the text, one SGD step of size LR on it, pulled back toward the trained weights by DECAY in [0, 1) (default 0). Reads the text as one sequence; --steps is the segment length.")
    var dynamicEval: String?

    public func validate() throws {
        if let cachePointer, CachePointer(parsing: cachePointer) == nil {
            throw ValidationError("--cache-pointer takes \(CachePointer.form), e.g. 500,1.0,0.1 (got \"\(cachePointer)\")")
        }
        if let dynamicEval, DynamicEvaluation(parsing: dynamicEval) == nil {
            throw ValidationError("--dynamic-eval takes \(DynamicEvaluation.form), e.g. 0.002 or 0.002,0.02 (got \"\(dynamicEval)\")")
        }
    }

    /// The gains the flags give (none when neither is given).
    public var gains: EvaluationGains {
        EvaluationGains(cachePointer: cachePointer.flatMap(CachePointer.init(parsing:)),
                        dynamicEvaluation: dynamicEval.flatMap(DynamicEvaluation.init(parsing:)))
    }
}
