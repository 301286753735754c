import Foundation
import LMTestSupport
import LMData
import LMGeneration
import LMKit
import LMModelFiles
import LMModels
import LMSettings
import LMText
import Testing

/// The umbrella API against the library calls the tools make: same text as `lm-generate`,
/// same perplexity as the evaluator.
@Suite struct LanguageModelTests {
    /// A short corpus and a fresh run directory under a temporary folder.
    static func trainTiny(epochs: Int = 2) throws -> (model: LanguageModel, folder: URL, reports: [EpochReport]) {
        let folder = URL(fileURLWithPath: TemporaryFolders.make("lmkit-api"))
        let corpus = folder.appendingPathComponent("corpus.txt")
        let line = "the time traveller for so it will be convenient to speak of him was expounding a recondite matter to us\n"
        try String(repeating: line, count: 40).write(to: corpus, atomically: true, encoding: .utf8)
        var settings = TrainingSettings(corpus: corpus.path)
        settings.model.kind = .lstm
        settings.model.hiddenSize = 16
        settings.run.epochs = epochs
        settings.run.output = folder.appendingPathComponent("run").path
        var reports: [EpochReport] = []
        let model = try LanguageModel.train(settings) { reports.append($0) }
        return (model, folder, reports)
    }

    @Test func trainsReportsEveryEpochAndWritesTheRun() throws {
        let (model, folder, reports) = try Self.trainTiny()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(reports.map(\.epoch) == [1, 2])
        #expect(reports.allSatisfy { $0.trainPerplexity.isFinite && $0.trainPerplexity > 1 })
        #expect(FileManager.default.fileExists(atPath: model.path + "/model.safetensors"))
        #expect(model.configuration.model.kind == .lstm)
        #expect(model.vocabularySize == 24)   // <unk>, the space and the 22 letters of the text
    }

    @Test(arguments: [Sampling.greedy, .temperature(0.8), .topK(5, temperature: 0.9), .topP(0.9), .beam(width: 3, lengthPenalty: 0.5)])
    func generatesWhatLmGenerateWrites(_ sampling: Sampling) throws {
        let (model, folder, _) = try Self.trainTiny()
        defer { try? FileManager.default.removeItem(at: folder) }
        var pieces: [String] = []
        let text = try model.generate(prefix: "time traveller", length: 30, sampling: sampling, seed: 7) { pieces.append($0) }
        #expect(pieces.count == 30 && pieces.joined() == text)

        let options: SamplingOptions = switch sampling {
        case .greedy: SamplingOptions(strategy: .greedy)
        case let .temperature(t): SamplingOptions(temperature: t)
        case let .topK(k, t): SamplingOptions(temperature: t, topK: k)
        case let .topP(p, _): SamplingOptions(topP: p)
        case let .beam(width, alpha, stop): SamplingOptions(beams: width, lengthPenalty: alpha, stopAtEOS: stop)
        }
        let output = Collected()
        try GenerationRequest(model: model.path, prefix: "time traveller", length: 30, sampling: options, seed: 7)
            .run(writingTo: output, note: { _ in })
        #expect(output.text == "time traveller" + text + "\n")   // lm-generate ends the line
    }

    @Test func scoresAsTheEvaluatorMeasures() throws {
        let (model, folder, _) = try Self.trainTiny()
        defer { try? FileManager.default.removeItem(at: folder) }
        let score = try model.score("the time traveller was expounding")
        #expect(score.tokens.count == 33 && score.logProbabilities.count == 32)
        #expect(score.logProbabilities.allSatisfy { $0 < 0 })

        let trained = try RunDirectory.load(model.path)
        let generator = try Generator(model: trained.model, vocabularyFile: trained.vocabularyFile)
        let ids = try generator.encode(prefix: "the time traveller was expounding").ids
        let stream = try TokenStream(ids: ids, vocabularySize: model.vocabularySize)
        let measured = try Evaluator.evaluate(trained.model, on: stream, batch: 1, steps: model.configuration.training.steps)
        #expect(abs(score.perplexity - measured.perplexity) <= 1e-4 * measured.perplexity)
    }

    @Test func refusesWhatCannotBeScoredOrLoaded() throws {
        let (model, folder, _) = try Self.trainTiny(epochs: 1)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: LanguageModelError.tooShort(tokens: 1)) { try model.score("a") }
        #expect(throws: (any Error).self) { try LanguageModel(contentsOf: folder.appendingPathComponent("none").path) }
    }
}

/// Text written by `GenerationRequest`.
final class Collected: TextOutput {
    var text = ""
    func write(_ piece: String) { text += piece }
    func flush() {}
}
