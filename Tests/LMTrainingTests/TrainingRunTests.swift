import Foundation
import LMData
import LMModelFiles
import LMModels
import LMSettings
import LMText
import Testing
@testable import LMTraining

/// What a run's set-up refuses or records before the first step: a model too large for any
/// machine, the vocabulary the model is trained with, and how much of the corpus it covers.
@Suite struct TrainingRunTests {
    /// Collects what a session reports.
    final class Lines: TrainingObserver {
        var said: [String] = []
        var warnings: [String] = []
        func update(_ progress: TrainingProgress) {}
        func epochEnded(_ report: EpochReport, sample: String?) {}
        func finish() {}
        func say(_ text: String) { said.append(text) }
        func warn(_ text: String) { warnings.append(text) }
    }

    /// Absurd sizes are refused at once (no loop over a billion layers, no wrapped total),
    /// with a message naming the setting and its value, before the run directory is made.
    @Test(arguments: [("model.layers (1000000000)", 256, 1_000_000_000), ("model.hiddenSize (4000000000)", 4_000_000_000, 1),
                      ("model.layers (9223372036854775807)", 8, Int.max)])
    func absurdSizesAreRefusedAtOnceNamingTheSetting(named: String, hidden: Int, layers: Int) throws {
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        var request = TrainingFixtures.request(corpus: TrainingFixtures.corpus(), output: output, epochs: 1)
        request.model.hiddenSize = hidden
        request.model.layers = layers
        let clock = ContinuousClock()
        let started = clock.now
        #expect {
            _ = try TrainingRun(request)
        } throws: { error in
            "\(error)".contains("of memory but only") && "\(error)".contains(named)
        }
        #expect(clock.now - started < .seconds(5))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// config.json records the vocabulary's digest; a vocab.json of the same size but other
    /// tokens swapped into the run is refused naming the file, and a run written before the
    /// digest was recorded still loads.
    @Test func aVocabularyThatIsNotTheRunsIsRefused() throws {
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        let run = try TrainingRun(TrainingFixtures.request(corpus: TrainingFixtures.corpus(), output: output, epochs: 1))
        _ = try run.trainer.train()
        let directory = RunDirectory(path: output)
        #expect(try directory.readConfig().vocabulary == VocabularyDigest(of: run.vocabularyFile))
        _ = try RunDirectory.load(output)

        var swapped = run.vocabularyFile
        swapped.tokens.swapAt(1, 2)   // same size, another id → token map
        try directory.writeVocabulary(swapped)
        #expect(throws: ModelFileError.foreignVocabulary(path: directory.vocabularyPath, recorded: VocabularyDigest(of: run.vocabularyFile),
                                                          found: VocabularyDigest(of: swapped))) {
            _ = try RunDirectory.load(output)
        }
        var resumed = TrainingFixtures.request(corpus: TrainingFixtures.corpus(), output: output, epochs: 2)
        resumed.resume = true
        #expect(throws: ModelFileError.self) { _ = try TrainingRun(resumed) }

        // A run from before the digest: no "vocabulary" in config.json.
        var config = try directory.readConfig()
        config.vocabulary = nil
        try directory.writeConfig(config)
        #expect(!(try String(contentsOfFile: directory.configPath, encoding: .utf8)).contains("\"vocabulary\""))
        _ = try RunDirectory.load(output)
    }

    /// A given vocabulary that covers little of the corpus: the share of `<unk>` is reported,
    /// recorded in config.json and warned about above 5 %; a vocabulary built from the corpus
    /// is not warned about.
    @Test func aVocabularyThatCoversLittleOfTheCorpusIsWarnedAbout() throws {
        let corpus = TrainingFixtures.corpus()
        let narrow = TrainingFixtures.temporaryDirectory() + "/narrow.json"
        let other = TrainingFixtures.temporaryDirectory() + "/other.txt"
        try Data("zzz eee\n".utf8).write(to: URL(fileURLWithPath: other))
        try VocabularyFile.build(corpus: other, pipeline: TextPipeline(), settings: .init()).save(to: narrow)

        var settings = TrainingFixtures.request(corpus: corpus, output: TrainingFixtures.temporaryDirectory() + "/run", epochs: 1).settings
        settings.data.vocabulary = narrow
        let lines = Lines()
        _ = try TrainingSession.run(settings, reporting: lines)
        let share = try #require(try RunDirectory(path: settings.run.output!).readConfig().data?.unknownShare)
        #expect(share > 0.5 && share < 1)
        #expect(lines.said.first?.hasSuffix(String(format: "; %.1f %% of the training tokens are <unk>", share * 100)) == true, "\(lines.said)")
        #expect(lines.warnings.count == 1)
        #expect(lines.warnings.first?.hasPrefix(String(format: "%.1f %% of the training tokens are <unk>: the vocabulary \(narrow) (data.vocabulary)", share * 100)) == true,
                "\(lines.warnings)")

        let plain = TrainingFixtures.request(corpus: corpus, output: TrainingFixtures.temporaryDirectory() + "/run", epochs: 1).settings
        let quiet = Lines()
        _ = try TrainingSession.run(plain, reporting: quiet)
        #expect(quiet.warnings.isEmpty)
        #expect(try RunDirectory(path: plain.run.output!).readConfig().data?.unknownShare == 0)
        #expect(quiet.said.first?.contains("<unk>") == false)
    }
}
