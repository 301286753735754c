import Foundation
import LMData
import LMFileSystem
import LMModels
import LMSettings
import LMTensor
import LMText

/// `lm-convert export` and `import --format pytorch`: a run directory to a PyTorch
/// state_dict in safetensors, and a state_dict with a vocabulary to a run directory
/// (layouts in ``PyTorchStateDict``). Everything is checked before anything is written, and
/// every output appears whole or not at all.
public enum PyTorchConversion {
    /// Writes the run at `run` as word_language_model `RNNModel` tensors to `output`, which may
    /// not be one of the run's own files (``RunDirectory/ownFiles``).
    /// - Returns: the tensors' names and shapes, for the tool to print.
    @discardableResult
    public static func export(run: String, to output: String) throws -> [SafeTensors.Tensor] {
        let trained = try RunDirectory.load(run)
        let tensors = try PyTorchStateDict.tensors(of: trained.model, path: trained.directory.path)
        let data = try SafeTensors.encode(tensors, metadata: PyTorchStateDict.metadata(for: trained.config.model, path: trained.directory.path))
        try AtomicFile.write(data, to: output, sparing: trained.directory.ownFiles)
        return tensors
    }

    /// What an import made.
    public struct Imported: Sendable {
        /// The model the tensors describe.
        public var config: ModelConfig
        /// One line per thing the user should know (converted dtypes, inferred fields).
        public var notes: [String]
    }

    /// Makes the run directory `output` from the state_dict at `state`, the LMKit
    /// vocabulary at `vocabulary` and, optionally, a configuration file (``ImportConfiguration``).
    /// `output` must not exist, or be an empty directory; it is written under a temporary
    /// name beside it and renamed into place.
    public static func importRun(state: String, vocabulary: String, config configPath: String?, to output: String) throws -> Imported {
        var given = try configPath.map(ImportConfiguration.load(from:)) ?? ImportConfiguration()
        let (tensors, metadata, widened) = try SafeTensors.read(from: state, widening: true)
        // The activation a file's `rnn_type` names (LMKit's export writes RNN_RELU for relu), unless given.
        let named = metadata["rnn_type"].flatMap(PyTorchStateDict.activation(ofModule:))
        let stated = given.activation
        if stated == nil { given.activation = named }
        let config = try PyTorchStateDict.modelConfig(for: tensors, given: given, path: state, configPath: configPath ?? "convert.config")
        let vocabularyFile = try VocabularyFile.load(from: vocabulary)
        guard vocabularyFile.tokens.count == config.vocabularySize else {
            throw PyTorchStateDictError.vocabularySize(path: vocabulary, tokens: vocabularyFile.tokens.count, model: config.vocabularySize)
        }
        var generator = RandomGenerator(seed: 0)
        let model: RecurrentLM<Float>
        do { model = try RecurrentLM<Float>(config: config, using: &generator) } catch let error as ModelError {
            throw ModelFileError.model(path: state, error)
        }
        try RunDirectory.assign(PyTorchStateDict.lmkitTensors(from: tensors, config: config, path: state), to: model, path: state)
        try checkOutput(output)

        var training = given.training ?? TrainingOptions(corpus: URL(fileURLWithPath: state).lastPathComponent)
        if given.training == nil { training.epochs = 0 }
        let runConfig = RunConfig(model: config, training: training, data: given.data, vocabulary: VocabularyDigest(of: vocabularyFile))
        let url = URL(fileURLWithPath: output).standardizedFileURL
        let temporary = AtomicFile.temporaryPath(for: url.path)
        unlink(temporary)   // a link or file of that name is never written through
        let directory = RunDirectory(path: temporary)
        do {
            try directory.create()
            try directory.writeConfig(runConfig)
            try directory.writeVocabulary(vocabularyFile)
            try directory.writeWeights(model, metadata: ["format": "lmkit-weights", "epoch": "0", "source": URL(fileURLWithPath: state).lastPathComponent])
            if rename(temporary, url.path) != 0 {
                throw ModelFileError.io(path: output, reason: "cannot move the imported run into place: \(SystemError.current)")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }

        var notes: [String] = []
        if !widened.isEmpty {
            notes.append("\(state): converted \(widened.count) tensor\(widened.count == 1 ? "" : "s") from F16/BF16 to F32 (\(widened.prefix(3).joined(separator: ", "))\(widened.count > 3 ? ", …" : ""))")
        }
        var inferred: [String] = ["\(config.kind.rawValue) \(config.layers)×\(config.hiddenSize)",
                                  config.embeddingSize.map { "embedding \($0)" } ?? "one-hot input",
                                  "vocabulary \(config.vocabularySize)"]
        if config.tied { inferred.append("tied") }
        if config.recurrentBias { inferred.append("two biases per gate") }
        if config.kind == .gru { inferred.append("gruVariant pytorch") }
        if stated == nil && config.kind == .rnn {
            inferred.append(named != nil ? "activation \(config.activation.rawValue) (the file's rnn_type)"
                                         : "activation tanh (set \"activation\": \"relu\" in convert.config for RNN_RELU)")
        }
        notes.append("\(output): " + inferred.joined(separator: ", "))
        return Imported(config: config, notes: notes)
    }

    /// Refuses an output that exists and is not an empty directory.
    static func checkOutput(_ output: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw PyTorchStateDictError.outputExists(path: output, reason: "exists and is a file; choose a new directory for the imported run")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? ["?"]
        guard entries.isEmpty else {
            throw PyTorchStateDictError.outputExists(path: output, reason: "exists and is not empty; choose a new directory for the imported run")
        }
    }
}
