import Testing
import LMFileSystem
@testable import LMText

@Suite struct VocabularyTests {
    let counts = TokenCounts(tokens: ["the", "cat", "the", "dog", "the", "cat", "emu"])

    @Test func idsFollowD2LsVocab() throws {
        let vocabulary = try Vocabulary(counts: counts)
        #expect(vocabulary.tokens == ["<unk>", "the", "cat", "dog", "emu"])
        #expect(vocabulary.id(of: "cat") == 2)
        #expect(vocabulary.token(at: 3) == "dog")
    }

    @Test func unknownTokensMapToZero() throws {
        let vocabulary = try Vocabulary(counts: counts)
        #expect(vocabulary.id(of: "zebra") == Vocabulary.unknownID)
        #expect(vocabulary.ids(of: ["the", "zebra", "<unk>"]) == [1, 0, 0])
        #expect(!vocabulary.contains("zebra"))
    }

    @Test func minFrequencyDropsRareTokensAndCountsThemAsUnknown() throws {
        let vocabulary = try Vocabulary(counts: counts, minFrequency: 2)
        #expect(vocabulary.tokens == ["<unk>", "the", "cat"])
        #expect(vocabulary.frequencies == [2, 3, 2])
        #expect(abs(vocabulary.coverage - 5.0 / 7.0) < 1e-12)
    }

    @Test func reservedTokensComeRightAfterUnknownAndAreNotRepeated() throws {
        let vocabulary = try Vocabulary(counts: counts, reserved: ["<pad>", "cat", "<bos>"])
        #expect(vocabulary.tokens == ["<unk>", "<pad>", "cat", "<bos>", "the", "dog", "emu"])
        #expect(vocabulary.frequencies[2] == 2)
    }

    @Test func maxSizeCapsEveryEntry() throws {
        let vocabulary = try Vocabulary(counts: counts, reserved: ["<pad>"], maxSize: 3)
        #expect(vocabulary.tokens == ["<unk>", "<pad>", "the"])
        #expect(throws: TextError.self) { try Vocabulary(counts: counts, reserved: ["<pad>"], maxSize: 1) }
        #expect(throws: TextError.self) { try Vocabulary(counts: counts, minFrequency: 0) }
    }

    @Test func timeMachineFirstIdsAreD2Ls() throws {
        let counts = try TokenCounts(file: Fixtures.timeMachine, pipeline: TextPipeline())
        let vocabulary = try Vocabulary(counts: counts)
        #expect(vocabulary.count == 28)
        #expect(Array(vocabulary.tokens.prefix(12)) == ["<unk>", " ", "e", "t", "a", "i", "n", "o", "s", "h", "r", "d"])
    }

    @Test func malformedTokenListsAreRejected() {
        // <unk> may sit anywhere (issue 30: mapped by name), but it must be there.
        #expect(throws: TextError.invalidSetting("a vocabulary must hold <unk>, the token unknown tokens map to")) { try Vocabulary(tokens: ["a", "b"]) }
        #expect(throws: TextError.self) { try Vocabulary(tokens: ["<unk>", "a", "a"]) }
        #expect(throws: TextError.self) { try Vocabulary(tokens: ["<unk>", "a"], frequencies: [1]) }
    }

    /// A token list with `<unk>` elsewhere than id 0 (a tokenizer.json trained without special
    /// tokens): unknown tokens, ASCII characters included, map to its id; coverage counts it.
    @Test func unknownTokenIsFoundByName() throws {
        let vocabulary = try Vocabulary(tokens: ["the", "<unk>", "a", "b"], frequencies: [5, 3, 1, 1])
        #expect(vocabulary.unknownID == 1)
        #expect(vocabulary.ids(of: ["the", "zebra", "<unk>", "a"]) == [0, 1, 1, 2])
        #expect(vocabulary.coverage == 0.7)
        var ids: [Int32] = []
        try vocabulary.forEachID(in: try TextInput(path: Fixtures.file("abc\n")), pipeline: TextPipeline(preprocessor: Preprocessor(preset: .raw), level: .char)) { ids.append($0) }
        #expect(ids == [2, 3, 1, 1])   // "c" and "\n" are unknown ASCII characters
    }
}
