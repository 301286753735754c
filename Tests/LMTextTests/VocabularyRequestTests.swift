import Foundation
import Testing
@testable import LMText

/// `lm-vocab`'s runs as library calls: build, show, encode and decode into a string.
@Suite struct VocabularyRequestTests {
    /// Text written to a string.
    final class Written: TextOutput {
        var text = ""
        var flushes = 0
        func write(_ text: String) { self.text += text }
        func flush() { flushes += 1 }
    }

    func builtVocabulary() throws -> (path: String, summary: String) {
        let corpus = Fixtures.file("Hello, wörld!\nHello again\n")
        let path = Fixtures.temporaryDirectory() + "/v.json"
        let output = Written()
        try VocabularyBuildRequest(corpus: corpus, output: path, choice: PipelineChoice(level: .word, preset: .unicode, endOfLine: true),
                                   wordSplitting: .unicode).run(writingTo: output)
        return (path, output.text)
    }

    @Test func buildSavesTheFileAndPrintsItsSummary() throws {
        let (path, text) = try builtVocabulary()
        let file = try VocabularyFile.load(from: path)
        #expect(file.tokens == ["<unk>", "hello", "<eos>", "wörld", "again"])
        #expect(text.hasPrefix(try VocabularySummary(file: file).text + "\nread "))
        #expect(text.hasSuffix("\nwrote \(path)\n"))
        let shown = Written()
        try VocabularySummary.show(vocabularyAt: path, writingTo: shown)
        #expect(shown.text == (try VocabularySummary(file: file).text) + "\n")
        #expect(shown.flushes == 1)
    }

    @Test func encodeThenDecodeGivesThePreprocessedText() throws {
        let (path, _) = try builtVocabulary()
        let encoded = Written()
        try VocabularyEncodeRequest(vocabulary: path, input: Fixtures.file("Hello WÖRLD zebra\nagain\n")).run(writingTo: encoded)
        #expect(encoded.text == "1 3 0 2\n4 2\n")
        var lines = encoded.text.split(separator: "\n").map(String.init)[...]
        let decoded = Written()
        try VocabularyDecodeRequest(vocabulary: path).run(readingLinesFrom: { lines.popFirst() }, writingTo: decoded)
        #expect(decoded.text == "hello wörld <unk>\n\nagain\n\n")
    }

    @Test func aFieldThatIsNoIdNamesItsLineAfterWritingTheLinesBefore() throws {
        let (path, _) = try builtVocabulary()
        var lines = ["1 3", "1 99"][...]
        let decoded = Written()
        #expect(throws: TextError.invalidSetting("<stdin> line 2: \"99\" is not an id of \(path) (0..<5)")) {
            try VocabularyDecodeRequest(vocabulary: path).run(readingLinesFrom: { lines.popFirst() }, writingTo: decoded)
        }
        #expect(decoded.text == "hello wörld\n")
        #expect(decoded.flushes == 1)
    }
}
