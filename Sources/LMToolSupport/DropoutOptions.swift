import ArgumentParser
import LMSettings
import LMText

/// `lm-train`'s dropout flags: ``ModelConfig/dropout`` (training windows only; evaluation and
/// generation never drop). `--dropout` and `--dropout-locked` set every place at once.
public struct DropoutOptions: ParsableArguments {
    public init() {}

    @Option(parsing: .unconditional, help: "Dropout P with a fresh mask per element and step on the embedding output, between layers and on the top output (as PyTorch's word_language_model and char-rnn; with one-hot input the input place is skipped).") var dropout: Double?
    @Option(parsing: .unconditional, help: "Locked (variational) dropout P at the same places: one mask per sequence for a whole window (AWD-LSTM's LockedDropout). Excludes --dropout.") var dropoutLocked: Double?
    @Option(parsing: .unconditional, help: "Dropout P on the embedding output only (overrides --dropout/--dropout-locked there; needs --embedding).") var dropoutInput: Double?
    @Option(parsing: .unconditional, help: "Dropout P between layers only (overrides --dropout/--dropout-locked there).") var dropoutHidden: Double?
    @Option(parsing: .unconditional, help: "Dropout P on the top layer's output only (overrides --dropout/--dropout-locked there).") var dropoutOutput: Double?
    @Option(parsing: .unconditional, help: "Embedding dropout P: whole vocabulary rows dropped per window (AWD-LSTM; needs --embedding).") var dropoutEmbedding: Double?
    @Option(parsing: .unconditional, help: "Weight drop P: DropConnect on every layer's W_hh, one mask per window (AWD-LSTM's WeightDrop).") var weightDrop: Double?

    /// Checks the two flags that stand for several settings; the settings check the rest.
    public func validate() throws {
        if dropout != nil && dropoutLocked != nil { throw ValidationError("--dropout and --dropout-locked exclude each other; give one") }
        for (flag, p) in [("--dropout", dropout), ("--dropout-locked", dropoutLocked)] {
            if let p, !(p >= 0 && p < 1) { throw ValidationError("\(flag) \(p): a dropout probability must be in [0, 1)") }
        }
    }

    /// The dropout the flags ask for: `--dropout` or `--dropout-locked` at every place (the
    /// input place only with an embedding), the per-place flags overriding it.
    public func dropout(hasEmbedding: Bool) -> Dropout {
        let all = dropoutLocked ?? dropout ?? 0
        return Dropout(input: dropoutInput ?? (hasEmbedding ? all : 0), hidden: dropoutHidden ?? all, output: dropoutOutput ?? all,
                       locked: dropoutLocked != nil, embedding: dropoutEmbedding ?? 0, weightDrop: weightDrop ?? 0)
    }
}
