import Foundation
import LMTestSupport
import LMData
import LMModelFiles
import LMSettings
import LMModels
import LMText
@testable import LMTraining

/// Small corpora and models for fast training tests.
enum TrainingFixtures {
    static func temporaryDirectory() -> String {
        TemporaryFolders.make("lmtraining")
    }

    /// A few thousand characters of English-like text, written to a temporary file.
    static func corpus(lines: Int = 60) -> String {
        let words = ["the", "time", "traveller", "said", "filby", "machine", "four", "dimensions", "and", "of"]
        var generator = RandomGenerator(seed: 7)
        var text = ""
        for _ in 0..<lines {
            text += (0..<8).map { _ in words[generator.next(below: words.count)] }.joined(separator: " ") + ".\n"
        }
        let path = temporaryDirectory() + "/tiny.txt"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// A one-row vector parameter `w` holding `values`, for optimizer tests.
    static func parameter(_ values: [Float]) -> Parameter<Float> {
        let p = Parameter<Float>(name: "w", rows: 1, cols: values.count, vector: true)
        try! p.value.assign(values)
        return p
    }

    /// What a test asks for: the recorded form of the settings (`config.json`'s model and
    /// training sections), the run directory and whether to resume.
    struct Request {
        var model: ModelConfig
        var training: TrainingOptions
        var output: String
        var resume = false

        /// The settings these stand for.
        var settings: TrainingSettings {
            var settings = RunConfig(model: model, training: training).settings
            settings.run.output = output
            settings.run.resume = resume ? .newest : nil
            return settings
        }
    }

    /// A request for a tiny model on `corpus`, writing into `output`.
    static func request(corpus: String, output: String, epochs: Int = 4, kind: ModelConfig.Kind = .rnn,
                        sampler: TrainingOptions.SamplerKind = .sequential, validationFraction: Double = 0) -> Request {
        var options = TrainingOptions(corpus: corpus)
        options.batch = 4
        options.steps = 6
        options.epochs = epochs
        options.maxTokens = nil
        options.sampler = sampler
        options.validationFraction = validationFraction
        options.checkpointEvery = 2
        let model = ModelConfig(kind: kind, vocabularySize: 1, hiddenSize: 12, initialization: .xavierUniform)
        return Request(model: model, training: options, output: output)
    }
}

extension TrainingRun {
    /// The run a test's request stands for.
    init(_ request: TrainingFixtures.Request) throws { try self.init(request.settings) }
}
