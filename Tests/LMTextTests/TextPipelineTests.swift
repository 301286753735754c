import Foundation
import LMFileSystem
import Testing
@testable import LMText

@Suite struct TextPipelineTests {
    /// d2l's figures for the time machine (REFERENCE.md).
    @Test func timeMachineCharacterAndWordCountsMatchD2L() throws {
        let chars = try TokenCounts(file: Fixtures.timeMachine, pipeline: TextPipeline())
        #expect(chars.total == 170_580)
        #expect(chars.distinct + 1 == 28)
        let words = try TokenCounts(file: Fixtures.timeMachine, pipeline: TextPipeline(level: .word))
        #expect(words.total == 32_775)
        #expect(words.distinct + 1 == 4_580)
    }

    @Test func endOfLineTokenFollowsEveryLine() throws {
        let pipeline = TextPipeline(preprocessor: Preprocessor(preset: .raw), level: .word, endOfLine: true)
        #expect(try pipeline.tokens(of: "a b\n\nc\nd") == ["a", "b", "<eos>", "<eos>", "c", "<eos>", "d", "<eos>"])
    }

    @Test func invalidUTF8NamesTheFileAndOffset() throws {
        let path = Fixtures.file([0x61, 0x62, 0x0A, 0x63, 0xFF, 0x64, 0x0A])
        var counts = TokenCounts()
        #expect(throws: TextError.invalidUTF8(path: path, offset: 4)) {
            try TextPipeline(preprocessor: Preprocessor(preset: .raw)).forEachToken(inFile: path, into: &counts)
        }
        var replaced = TokenList()
        try TextPipeline(preprocessor: Preprocessor(preset: .raw), replaceInvalidUTF8: true).forEachToken(inFile: path, into: &replaced)
        #expect(replaced.tokens == ["a", "b", "\n", "c", "\u{FFFD}", "d", "\n"])
    }

    @Test(arguments: [
        ([0xC0, 0xAF] as [UInt8], 1),           // overlong "/"
        ([0xED, 0xA0, 0x80], 1),                // UTF-16 surrogate
        ([0xF4, 0x90, 0x80, 0x80], 1),          // above U+10FFFF
        ([0xE2, 0x82], 1),                      // truncated at end of file
    ])
    func invalidSequencesAreRejected(bad: [UInt8], offset: Int) {
        let path = Fixtures.file([0x78] + bad)
        var counts = TokenCounts()
        #expect(throws: TextError.invalidUTF8(path: path, offset: offset)) {
            try TextPipeline().forEachToken(inFile: path, into: &counts)
        }
    }

    @Test func emptyFileHasNoTokens() throws {
        let counts = try TokenCounts(file: Fixtures.file(""), pipeline: TextPipeline())
        #expect(counts.total == 0)
        let vocabulary = try Vocabulary(counts: counts)
        #expect(vocabulary.tokens == ["<unk>"])
        #expect(vocabulary.coverage == 1)
    }

    @Test func missingFileAndDirectoryAreClearErrors() {
        var counts = TokenCounts()
        #expect(throws: FileError.unreadable(path: "/no/such/file.txt", reason: "No such file or directory")) {
            try TextPipeline().forEachToken(inFile: "/no/such/file.txt", into: &counts)
        }
        let directory = Fixtures.temporaryDirectory()
        #expect(throws: FileError.unreadable(path: directory, reason: "is a directory, not a text file")) {
            try TextPipeline().forEachToken(inFile: directory, into: &counts)
        }
    }
}
