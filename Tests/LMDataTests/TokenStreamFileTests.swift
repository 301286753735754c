import Foundation
import LMTestSupport
import LMText
import Testing
@testable import LMData

@Suite struct TokenStreamFileTests {
    private func temporaryFile(_ text: String) throws -> String {
        let path = TemporaryFolders.make("lmdata") + "/stream.txt"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [TextPipeline.Level.char, .word])
    func fileEncodingMatchesTheVocabularyOfTheTokens(level: TextPipeline.Level) throws {
        let text = "The Time Traveller (for so it will be convenient to speak of him)\nwas expounding a recondite matter to us.\n\nHis grey eyes shone and twinkled.\n"
        let path = try temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let pipeline = TextPipeline(level: level)
        // Build the vocabulary from part of the text, so some tokens are unknown (<unk>, id 0).
        let vocabulary = try Vocabulary(counts: TokenCounts(tokens: try pipeline.tokens(of: String(text.prefix(60)))))
        let stream = try TokenStream(contentsOfFile: path, vocabulary: vocabulary, pipeline: pipeline)
        let expected = vocabulary.ids(of: try pipeline.tokens(of: text))
        #expect(stream.ids.map(Int.init) == expected)
        #expect(stream.vocabularySize == vocabulary.count)
        #expect(stream.width == .uint8)
        let limited = try TokenStream(contentsOfFile: path, vocabulary: vocabulary, pipeline: pipeline, maxTokens: 7)
        #expect(limited.ids.map(Int.init) == Array(expected.prefix(7)))
    }

    @Test func missingFileThrows() throws {
        let vocabulary = try Vocabulary(tokens: ["<unk>", "a"])
        #expect(throws: (any Error).self) {
            try TokenStream(contentsOfFile: "/nonexistent/lmdata.txt", vocabulary: vocabulary, pipeline: TextPipeline())
        }
    }
}
