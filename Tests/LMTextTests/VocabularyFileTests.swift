import Foundation
import LMFileSystem
import Testing
@testable import LMText

@Suite struct VocabularyFileTests {
    func built() throws -> VocabularyFile {
        let corpus = Fixtures.file("Hello, wörld!\nHello again\n")
        let pipeline = TextPipeline(preprocessor: Preprocessor(preset: .unicode), level: .word, wordSplitting: .unicode, endOfLine: true)
        return try VocabularyFile.build(corpus: corpus, pipeline: pipeline, settings: .init(minFrequency: 1, reserved: ["<pad>"]))
    }

    @Test func saveAndLoadRoundTrip() throws {
        let file = try built()
        #expect(file.tokens == ["<unk>", "<pad>", "hello", "<eos>", "wörld", "again"])
        let path = Fixtures.temporaryDirectory() + "/v.json"
        try file.save(to: path)
        let loaded = try VocabularyFile.load(from: path)
        #expect(loaded == file)
        #expect(try loaded.encoded() == (try file.encoded()))   // byte-stable
        #expect(loaded.pipeline.level == .word && loaded.pipeline.endOfLine)
    }

    @Test(arguments: [
        ("not json at all", "not valid JSON"),
        ("{\"token_to_idx\": {}, \"idx_to_token\": []}", "no \"format\""),
        ("{\"format\": \"lmkit-vocabulary\", \"version\": 99}", "format version 99"),
        ("{\"format\": \"lmkit-vocabulary\", \"version\": 1}", "missing field"),
    ])
    func notAVocabularyIsAClearError(content: String, reason: String) {
        let path = Fixtures.file(content, name: "bad.json")
        do {
            _ = try VocabularyFile.load(from: path)
            Issue.record("loading \(content) should fail")
        } catch let error as TextError {
            #expect(error.description.hasPrefix(path + ": not an LMKit vocabulary file"))
            #expect(error.description.contains(reason))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func corruptTokenListIsAClearError() throws {
        var file = try built()
        file.tokens[3] = "hello"   // duplicate
        let path = Fixtures.temporaryDirectory() + "/dup.json"
        try file.save(to: path)
        #expect(throws: TextError.notAVocabulary(path: path, reason: "token \"hello\" appears twice in the vocabulary")) {
            try VocabularyFile.load(from: path)
        }
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: FileError.unreadable(path: "/nope/v.json", reason: "no such file")) {
            try VocabularyFile.load(from: "/nope/v.json")
        }
    }
}
