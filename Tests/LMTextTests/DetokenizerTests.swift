import Testing
@testable import LMText

@Suite struct DetokenizerTests {
    @Test func detokenizerJoinsWordsWithSpacesAndConcatenatesCharacters() throws {
        let words = try Vocabulary(tokens: ["<unk>", "the", "time", "<eos>", "machine"])
        var pipeline = TextPipeline(level: .word)
        pipeline.endOfLine = true
        let w = Detokenizer(vocabulary: words, pipeline: pipeline)
        #expect(w.text(of: [1, 2, 4, 3, 1, 0]) == "the time machine\nthe <unk>")
        #expect(w.text(of: [2], after: 1) == " time")
        #expect(w.join(["the", "time", "<eos>", "x"]) == "the time\nx")
        let chars = try Vocabulary(tokens: ["<unk>", "a", "é", "👍🏽", " "])
        let c = Detokenizer(vocabulary: chars, pipeline: TextPipeline())
        #expect(c.text(of: [1, 2, 4, 3], after: 1) == "aé 👍🏽")
    }
}
