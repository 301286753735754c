import Foundation
import Testing
@testable import LMText

/// Seeded mutation loops over the text loaders (bin/fuzz runs the same checks under libFuzzer):
/// every mutant loads or throws a typed error, never traps, and what loads keeps its invariants.
@Suite struct LoaderFuzzTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func mutatedVocabulariesLoadOrThrowTextErrors() throws {
        let seeds = try ["timemachine-char.json", "timemachine-word.json"].map {
            Array(try Data(contentsOf: Self.repository.appendingPathComponent("vocab/" + $0)))
        }
        var mutations = Mutations(seed: 13)
        let directory = Fixtures.temporaryDirectory()
        var loaded = 0, refused = 0
        for round in 0..<300 {
            let mutant = mutations.mutate(seeds[round % 2], other: seeds[(round + 1) % 2])
            let path = directory + "/v.json"
            FileManager.default.createFile(atPath: path, contents: Data(mutant))
            do {
                let file = try VocabularyFile.load(from: path)
                loaded += 1
                #expect(try file.vocabulary().count == file.tokens.count)
                try file.save(to: directory + "/again.json")
                #expect(try VocabularyFile.load(from: directory + "/again.json") == file)
            } catch let error as TextError {
                refused += 1
                #expect(error.description.hasPrefix(path + ": "), "\(error)")
            }
        }
        #expect(loaded > 0 && refused > 0, "loaded \(loaded), refused \(refused)")
    }

    @Test func mutatedCorporaStreamLikeTheInMemoryPathInEveryPipeline() throws {
        let seeds: [[UInt8]] = [
            Array("The Time Traveller (for so it will be convenient to speak of him)\nwas expounding\n".utf8),
            Array("Café naïve 👍🏽 🇯🇵 한글 e\u{301}\r\nＡ ﬁ ß\n".utf8),
            [0x62, 0x61, 0x64, 0x20, 0xFF, 0xFE, 0x0A, 0xC3],
        ]
        let pipelines = Preprocessor.Preset.allCases.flatMap { preset in
            TextPipeline.Level.allCases.flatMap { level in
                [TextPipeline(preprocessor: Preprocessor(preset: preset), level: level),
                 TextPipeline(preprocessor: Preprocessor(preset: preset), level: level, wordSplitting: .unicode, endOfLine: true,
                              replaceInvalidUTF8: true)]
            }
        }
        var mutations = Mutations(seed: 9)
        let path = Fixtures.temporaryDirectory() + "/corpus.txt"
        var invalid = 0
        for round in 0..<150 {
            let mutant = mutations.mutate(seeds[round % 3], other: seeds[(round + 1) % 3])
            FileManager.default.createFile(atPath: path, contents: Data(mutant))
            let text = String(validating: mutant, as: UTF8.self)
            for pipeline in pipelines {
                var streamed = TokenList()
                do {
                    try pipeline.forEachToken(inFile: path, into: &streamed)
                } catch let TextError.invalidUTF8(_, offset) {
                    invalid += 1
                    #expect(text == nil && !pipeline.replaceInvalidUTF8 && (0..<mutant.count).contains(offset))
                    continue
                }
                guard let text else { continue }
                #expect(try pipeline.tokens(of: text) == streamed.tokens, "\(pipeline.summary): \(mutant)")
                if pipeline.preprocessor.preset == .raw, pipeline.level == .char, !pipeline.endOfLine {
                    #expect(streamed.tokens.joined() == text)
                }
            }
        }
        #expect(invalid > 0)
    }
}
