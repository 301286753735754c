import LMModelFiles
import LMModels
import LMText
import Testing
@testable import LMTraining

@Suite struct TrainingRequestTests {
    /// A request from plain values: `lm-train`'s defaults but for the arguments given.
    func request(kind: ModelConfig.Kind = .rnn, hidden: Int? = nil, scheme: TrainingRun.InitScheme = .normal,
                 initScale: Double? = nil, lr: Double? = nil, optimizer: TrainingOptions.OptimizerKind? = nil,
                 batch: Int? = nil, maxTokens: Int = 10_000) -> TrainingRun.Request {
        TrainingRun.Request(corpus: "c.txt", model: kind, hidden: hidden, layers: 1, embedding: nil, activation: .tanh,
                            initialization: scheme, initScale: initScale, batch: batch, steps: nil, epochs: nil, lr: lr,
                            optimizer: optimizer, momentum: 0, nesterov: false, clip: 1, decay: nil, sampler: .sequential,
                            level: .char, preset: .d2l, endOfLine: false, vocabularyFile: nil, maxTokens: maxTokens,
                            validationFraction: 0, validFile: nil, testFile: nil, seed: 0, output: nil, checkpointEvery: 10,
                            keep: 3, resume: false, overwrite: false)
    }

    @Test func unsetValuesTakeD2LsDefaults() {
        let r = request()
        #expect(r.training == TrainingOptions(corpus: "c.txt"))
        #expect(r.model == ModelConfig(kind: .rnn, vocabularySize: 1, hiddenSize: 512, initialization: .normal(scale: 0.01)))
        #expect(r.pipeline == TextPipeline(preprocessor: Preprocessor(preset: .d2l), level: .char))
        #expect(request(batch: 8).training.batch == 8)
    }

    @Test func gatedCellsDefaultTo256HiddenUnits() {
        #expect(request(kind: .gru).model.hiddenSize == 256)
        #expect(request(kind: .lstm).model.hiddenSize == 256)
        #expect(request(kind: .lstm, hidden: 32).model.hiddenSize == 32)
    }

    @Test func theLearningRateDefaultsToTheOptimizers() {
        #expect(request(optimizer: .adam).training.lr == 0.001)
        #expect(request(optimizer: .rmsprop).training.lr == 0.01)
        #expect(request(lr: 0.3, optimizer: .adam).training.lr == 0.3)
    }

    @Test func initSchemesAndTheirScales() {
        #expect(request(scheme: .normal, initScale: 0.1).model.initialization == .normal(scale: 0.1))
        #expect(request(scheme: .xavier, initScale: 3).model.initialization == .xavierUniform)
        #expect(request(scheme: .uniform).model.initialization == .uniform(bound: 0.1))
        #expect(request(scheme: .uniform, initScale: 0.5).model.initialization == .uniform(bound: 0.5))
    }

    @Test func perPartInitializationsParseSchemeAndScale() {
        #expect(request(scheme: .pytorch).model.initialization == .pytorch)
        #expect(TrainingRun.InitScheme.initialization(parsing: "normal:1") == .normal(scale: 1))
        #expect(TrainingRun.InitScheme.initialization(parsing: "normal") == .normal(scale: 0.01))
        #expect(TrainingRun.InitScheme.initialization(parsing: "uniform:0.05") == .uniform(bound: 0.05))
        #expect(TrainingRun.InitScheme.initialization(parsing: "xavier") == .xavierUniform)
        #expect(TrainingRun.InitScheme.initialization(parsing: "pytorch") == .pytorch)
        for bad in ["gaussian:1", "normal:0", "uniform:-1", "uniform:x", "xavier:2", "pytorch:1", "normal:", ""] {
            #expect(TrainingRun.InitScheme.initialization(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func maxTokensZeroKeepsTheWholeCorpus() {
        #expect(request(maxTokens: 0).training.maxTokens == nil)
        #expect(request(maxTokens: 500).training.maxTokens == 500)
    }
}
