import ArgumentParser
import LMModelFiles
import LMToolSupport

/// `lm-convert`: LMKit runs and vocabularies to and from PyTorch and Hugging Face files.
@main
struct LMConvert: LMTool {
    static let configuration = CommandConfiguration(
        commandName: "lm-convert",
        abstract: "Move models and vocabularies between LMKit and PyTorch / Hugging Face tokenizers.",
        discussion: "Every output is written to a temporary name and renamed; on any error nothing is written.",
        subcommands: [Export.self, Import.self, Vocab.self])

    /// The formats of each direction.
    enum ModelFormat: String, ExpressibleByArgument, CaseIterable { case pytorch }
    enum VocabularyFormat: String, ExpressibleByArgument, CaseIterable { case hf, lmkit }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A run as a PyTorch state_dict (word_language_model's RNNModel) in safetensors.")
        @Option(help: "Output format.") var format: ModelFormat
        @Argument(help: "Run directory.") var runDirectory: String
        @Argument(help: "Output .safetensors file.") var output: String

        func run() throws {
            try ConversionRequest.exportPyTorch(run: runDirectory, output: output).run(writingTo: StandardOutput(), note: LMConvert.note)
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A PyTorch RNNModel state_dict (safetensors) with an LMKit vocabulary as a new run directory.",
            discussion: "Kind, widths, layers, one-hot or embedding input, tying and the second bias come from the tensors; "
                + "--config (an LMKit config.json, or a JSON object of its model fields) states what they cannot "
                + "(activation, initialization, dropout) and is checked against them.")
        @Option(help: "Input format.") var format: ModelFormat
        @Option(help: "LMKit vocabulary (vocab.json) the model was trained with.") var vocab: String
        @Option(help: "Model fields or an LMKit config.json (optional).") var config: String?
        @Argument(help: "State dict (.safetensors; F32, or F16/BF16 converted).") var state: String
        @Argument(help: "New run directory (must not exist or be empty).") var output: String

        func run() throws {
            try ConversionRequest.importPyTorch(state: state, vocabulary: vocab, config: config, output: output)
                .run(writingTo: StandardOutput(), note: LMConvert.note)
        }
    }

    struct Vocab: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A vocabulary to another format: --format hf (LMKit vocab.json → tokenizer.json) or --format lmkit (tokenizer.json → vocab.json).")
        @Option(help: "Output format.") var format: VocabularyFormat
        @Argument(help: "Input vocabulary.") var input: String
        @Argument(help: "Output file.") var output: String

        var request: ConversionRequest {
            switch format {
            case .hf: .vocabularyToHuggingFace(input: input, output: output)
            case .lmkit: .vocabularyFromHuggingFace(input: input, output: output)
            }
        }

        func run() throws { try request.run(writingTo: StandardOutput(), note: LMConvert.note) }
    }
}
