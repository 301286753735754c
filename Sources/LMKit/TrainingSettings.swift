import LMModelFiles
import LMModels
import LMTraining

// TEMPORARY: stands in for the settings layer's TrainingSettings until that branch lands.
public struct TrainingSettings {
    public struct DataPart { public var maxTokens: Int? = nil }
    public struct RunPart { public var epochs = 500; public var output: String? = nil; public var overwrite = false }
    public var corpus: String
    public var model: ModelConfig
    public var data = DataPart()
    public var run = RunPart()
    public init(corpus: String) {
        self.corpus = corpus
        model = ModelConfig(kind: .rnn, activation: .tanh, vocabularySize: 1, embeddingSize: nil, hiddenSize: 512, layers: 1,
                            initialization: .d2l)
    }
    var request: TrainingRun.Request {
        var r = TrainingRun.Request(
            corpus: corpus, model: model.kind, hidden: model.hiddenSize, layers: model.layers, embedding: model.embeddingSize,
            activation: model.activation, initialization: .normal, initScale: nil, batch: nil, steps: nil, epochs: run.epochs, lr: nil,
            optimizer: nil, momentum: 0, nesterov: false, clip: 1, decay: nil, sampler: .sequential, level: nil, preset: nil,
            endOfLine: nil, vocabularyFile: nil, maxTokens: data.maxTokens, validationFraction: 0, validFile: nil,
            testFile: nil, seed: 0, output: run.output, checkpointEvery: 10, keep: 3, resume: false, overwrite: run.overwrite)
        r.model = model
        return r
    }
}
