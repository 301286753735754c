import LMFileSystem
import LMText

/// One `lm-convert` run: a model or a vocabulary moved between LMKit and PyTorch / Hugging
/// Face files. Every output is written to a temporary name and renamed; on any error nothing
/// is written, and an output that is one of the inputs is refused (``InputFiles``).
public enum ConversionRequest: Sendable {
    /// A run directory as a PyTorch state_dict (word_language_model's RNNModel) in safetensors
    /// (``PyTorchConversion/export(run:to:)``).
    case exportPyTorch(run: String, output: String)
    /// A PyTorch RNNModel state_dict with an LMKit vocabulary as a new run directory, `config`
    /// stating what the tensors cannot (``PyTorchConversion/importRun(state:vocabulary:config:to:)``).
    case importPyTorch(state: String, vocabulary: String, config: String?, output: String)
    /// An LMKit vocabulary file as a Hugging Face `tokenizer.json`.
    case vocabularyToHuggingFace(input: String, output: String)
    /// A Hugging Face `tokenizer.json` as an LMKit vocabulary file.
    case vocabularyFromHuggingFace(input: String, output: String)

    /// Converts; what was written goes to `output` (an export's tensors), what was lost or
    /// assumed to `note` (one line each).
    public func run(writingTo output: any TextOutput, note: (String) -> Void) throws {
        defer { output.flush() }
        switch self {
        case let .exportPyTorch(run, path):
            let tensors = try PyTorchConversion.export(run: run, to: path)
            output.write("\(path): \(tensors.count) tensors (" + tensors.map { "\($0.name) \($0.shape)" }.joined(separator: ", ") + ")\n")
        case let .importPyTorch(state, vocabulary, config, path):
            let imported = try PyTorchConversion.importRun(state: state, vocabulary: vocabulary, config: config, to: path)
            for line in imported.notes { note(line) }
        case let .vocabularyToHuggingFace(input, path):
            let (json, losses) = try HuggingFaceTokenizer.export(try VocabularyFile.load(from: input))
            try AtomicFile.write(json, to: path, sparing: InputFiles([input]))
            for loss in losses { note("note: \(loss)") }
        case let .vocabularyFromHuggingFace(input, path):
            let (file, notes) = try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: input)
            try file.save(to: path, sparing: InputFiles([input]))
            for line in notes { note("note: \(line)") }
        }
    }
}
