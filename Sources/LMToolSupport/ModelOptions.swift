import ArgumentParser
import LMSettings
import LMText

/// `lm-train`'s model flags: the ``TrainingSettings/model`` part but dropout (``DropoutOptions``).
public struct ModelOptions: ParsableArguments {
    public init() {}

    @OptionGroup var cell: CellOptions
    @Option(help: "Embedding initialization SCHEME[:SCALE], e.g. normal:1 (default: --init's).") var initEmbedding: String?
    @Option(help: "Output head initialization SCHEME[:SCALE], e.g. uniform:0.1 (default: --init's).") var initOutput: String?
    @Option(parsing: .unconditional, help: "LSTM forget-gate bias after initialization (char-rnn: 1).") var forgetBias: Double?
    @Option(help: "GRU variant: d2l (reset gate before the recurrent product) or pytorch (after it, as nn.GRU; not implied by --init pytorch) (default d2l).") var gruVariant: ModelConfig.GRUVariant?
    @Flag(inversion: .prefixedNo, help: "Tie the output weights to the embedding (needs --embedding equal to --hidden, the last layer's width with one per layer; --no-tied undoes a recipe's --tied).") var tied = false
    @Flag(inversion: .prefixedNo, help: "Two biases per gate, as PyTorch (default: on with --init pytorch).") var recurrentBias: Bool?
    @Option(help: "Train with an adaptive softmax head (Grave et al. 2017, PyTorch's AdaptiveLogSoftmaxWithLoss): cutoffs C1,C2,… split the token ids into a head shortlist 0..<C1 and clusters C1..<C2, …, up to the vocabulary size. Ids are the vocabulary's order: LMKit builds vocabularies as <unk>, reserved tokens, then descending frequency; a --vocab file keeps its own order, which may not be by frequency. Evaluation and generation use the exact full distribution. Excludes --tied.") var adaptiveSoftmax: String?
    @Option(parsing: .unconditional, help: "--adaptive-softmax: each cluster's projection is D times narrower than the previous (H/D, H/D², …) (default 4).") var adaptiveDiv: Double?
    @Option(parsing: .unconditional, help: "Activation regularization A (AWD-LSTM's alpha, 2 for PTB): training adds A × mean of the squared top-layer output after --dropout-output; the reported loss stays the cross-entropy (default 0).") var ar: Double?
    @Option(parsing: .unconditional, help: "Temporal activation regularization B (AWD-LSTM's beta, 1 for PTB): training adds B × mean of the squared change of the top-layer output (before dropout) from step to step in a window (default 0).") var tar: Double?

    /// Checks what the flags' syntax decides; the settings check the values (``ModelConfig/validate()``).
    public func validate() throws {
        for (flag, value) in [("--init-embedding", initEmbedding), ("--init-output", initOutput)] {
            if let value, InitScheme.initialization(parsing: value) == nil {
                throw ValidationError("\(flag) takes SCHEME[:SCALE] with SCHEME normal, uniform, xavier or pytorch and a positive SCALE for normal or uniform (got \(value))")
            }
        }
        if let adaptiveSoftmax, Self.cutoffs(parsing: adaptiveSoftmax) == nil {
            throw ValidationError("--adaptive-softmax takes increasing positive cutoffs C1,C2,…, e.g. 2000,6000 (got \(adaptiveSoftmax))")
        }
        if adaptiveDiv != nil && adaptiveSoftmax == nil { throw ValidationError("--adaptive-div needs --adaptive-softmax") }
    }

    /// The architecture the flags give, with `dropout`'s (the vocabulary size is the run's to set).
    public func model(dropout options: DropoutOptions) -> ModelConfig {
        let dropout = options.dropout(hasEmbedding: cell.embedding != nil)
        var model = ModelConfig(kind: cell.model, activation: cell.activation, vocabularySize: 1, embeddingSize: cell.embedding,
                                hiddenSize: ModelConfig.defaultHiddenSize(for: cell.model), layers: cell.layers,
                                initialization: cell.initialization)
        switch cell.hidden {
        case .perLayer(let widths): model.layerWidths = ModelConfig.LayerWidths(widths)   // equal widths: the one width
        case .uniform(let width): model.layerWidths = .uniform(width)
        case nil: break
        }
        model.tied = tied
        model.recurrentBias = recurrentBias ?? cell.pytorchInitialization
        model.embeddingInitialization = initEmbedding.flatMap(InitScheme.initialization(parsing:))
        model.outputInitialization = initOutput.flatMap(InitScheme.initialization(parsing:))
        model.forgetBias = forgetBias
        model.gruVariant = gruVariant ?? .d2l
        model.adaptiveSoftmax = adaptiveSoftmax.flatMap(Self.cutoffs(parsing:)).map {
            ModelConfig.AdaptiveSoftmax(cutoffs: $0, divValue: adaptiveDiv ?? 4)
        }
        model.dropout = dropout
        model.activationRegularization = ModelConfig.ActivationRegularization(ar: ar ?? 0, tar: tar ?? 0)
        return model
    }

    /// `--adaptive-softmax`'s C1,C2,…: positive integers (the settings check their order against V).
    static func cutoffs(parsing text: String) -> [Int]? {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        return values.allSatisfy { $0 > 0 } ? values : nil
    }
}
