import ArgumentParser
import LMModelFiles
import LMToolSupport

/// `lm-eval`: perplexity of a trained model on a text file.
@main
struct LMEval: LMTool {
    static let configuration = CommandConfiguration(
        commandName: "lm-eval",
        abstract: "Perplexity (and bits per character for character models) of a trained model on a text file.",
        discussion: "The file goes through the model's own preprocessing and vocabulary; the state is carried across the whole file. --cache-pointer and --dynamic-eval add the test-time gains of AWD-LSTM's pointer.py and Krause et al.'s dynamic evaluation.")

    @Option(help: "Run directory (default: runs/latest).") var model: String = RunDirectory.latest
    @Argument(help: "Text file or registered corpus name (a corpus with splits, such as ptb, is measured on its test text).") var file: String
    @Option(parsing: .unconditional, help: "Window length: the state is carried across windows, so it changes only speed (with --dynamic-eval: the segment length, which changes the result).") var steps = 35
    @Option(parsing: .unconditional, help: "Rows the file is cut into, each one continuous sequence (default 1: the whole file; PyTorch's word_language_model uses 10).") var batch = 1
    @Option(help: "Also write the logits of every prediction (tokens − 1 rows × vocabulary, F32 tensor \"logits\") to this safetensors file (needs --batch 1); an adaptive softmax model writes its exact log-probabilities. The model's own, without --cache-pointer or --dynamic-eval.") var logits: String?
    @OptionGroup(title: "Test-time gains") var gains: GainsOptions

    @Flag(help: "Print the report as one JSON object (crossEntropy, perplexity, tokens, rows, predictions, …) at full precision.") var json = false

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
        if batch < 1 { throw ValidationError("--batch must be at least 1") }
        if logits != nil && batch != 1 { throw ValidationError("--logits writes one row per position of the file as one sequence; use --batch 1") }
        if !gains.gains.isNone && batch != 1 { throw ValidationError("--cache-pointer and --dynamic-eval read the file as one sequence; use --batch 1") }
    }

    var request: EvaluationRequest {
        EvaluationRequest(model: model, file: file, steps: steps, batch: batch, logits: logits, json: json, gains: gains.gains)
    }

    func run() throws { try request.run(writingTo: StandardOutput()) }
}
