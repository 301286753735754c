import Foundation
import LMFileSystem
import Testing
@testable import LMText

@Suite struct TextInputTests {
    /// Lines of CJK text, kana and Hangul (no ASCII letter to cut after) are cut between those
    /// characters, and the tokens do not change, for every preset and level, also next to
    /// what must not be cut: halfwidth kana and their voicing marks (joined by NFKC), combining
    /// marks, Hangul jamo, a Prepend character, ZWJ, compatibility ideographs, CR LF.
    @Test(arguments: [Preprocessor.Preset.d2l, .unicode, .raw], [TextPipeline.Level.char, .word])
    func cjkLinesInPiecesGiveTheSameTokens(preset: Preprocessor.Preset, level: TextPipeline.Level) throws {
        var generator = SystemRandomNumberGenerator()
        let common = ["漢", "字", "㐀", "鿿", "あ", "ゔ", "カ", "ヺ", "한", "글", "가", "힣"]
        let rare = ["a", " ", "\t", "ｶ", "ﾞ", "\u{3099}", "\u{301}", "\u{1100}", "\u{1161}", "\u{11A8}", "\u{600}", "\u{200D}",
                    "\u{F900}", "\u{3000}", "。", "\r", "\r\n", "👍🏽", "Ｆ"]
        var text = ""
        for _ in 0..<3000 {
            text += Int.random(in: 0..<10, using: &generator) < 8 ? common.randomElement(using: &generator)! : rare.randomElement(using: &generator)!
        }
        text += "\n" + String(repeating: "漢字かなカナ한글", count: 200) + "\n"
        let pipeline = TextPipeline(preprocessor: Preprocessor(preset: preset), level: level, endOfLine: true)
        let expected = try pipeline.tokens(of: text)
        for chunkSize in [16, 17, 64] {
            var pieces = TokenList()
            try pipeline.forEachToken(in: try TextInput(path: Fixtures.file(text)), into: &pieces, chunkSize: chunkSize)
            let difference = zip(pieces.tokens, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(pieces.tokens.count, expected.count)
            let same = pieces.tokens == expected   // the arrays are long: report where they part
            #expect(same, "chunk \(chunkSize): the tokens differ from index \(difference) of \(expected.count)")
            let counts = try TokenCounts(input: try TextInput(path: Fixtures.file(text)), pipeline: pipeline, chunkSize: chunkSize)
            #expect(counts.total == expected.count)
        }
    }

    /// A long line of CJK text is read in blocks of the buffer's size at char level (and at
    /// word level when the filter drops CJK, as d2l's does): memory stays at the buffer.
    @Test func aLongCJKLineIsReadInBoundedBlocks() throws {
        let line = String(repeating: "漢字かなカナ한글", count: 20_000) + "\n"   // 480 kB, no ASCII letter
        let path = Fixtures.file(line)
        for (level, preset) in [(TextPipeline.Level.char, Preprocessor.Preset.raw), (.char, .unicode), (.word, .d2l)] {
            let pipeline = TextPipeline(preprocessor: Preprocessor(preset: preset), level: level)
            var largest = 0, total = 0
            try LineReader(path: path, chunkSize: 4096).forEachBlock(cuttingAt: pipeline.isSafeCut) { block, _, _ in
                largest = max(largest, block.count)
                total += block.count
            }
            #expect(largest <= 4096, "\(level) \(preset)")
            #expect(total == line.utf8.count)
        }
    }

    /// A pipe is read once and spooled: two passes see the same bytes, and the digest is the file's.
    @Test func aPipeCanBeReadTwice() throws {
        let text = "the time machine\nby h g wells\n"
        let directory = Fixtures.temporaryDirectory()
        let fifo = directory + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            let handle = FileHandle(forWritingAtPath: fifo)!
            handle.write(Data(text.utf8))
            try? handle.close()
        }
        writer.start()
        let input = try TextInput(path: fifo, recordsDigest: true)
        #expect(input.isStream)
        #expect(input.size == text.utf8.count)
        let first = try TokenCounts(input: input, pipeline: TextPipeline())
        let second = try TokenCounts(input: input, pipeline: TextPipeline())
        #expect(first.total == second.total && first.total > 0)
        #expect(first.firstSeen == second.firstSeen)
        #expect(try input.contentDigest() == ContentDigest(bytes: text.utf8.count, sha256: SHA256.hexDigest(of: Array(text.utf8))))
    }

    /// A regular file's digest comes from the pass that reads it.
    @Test func aFileDigestComesFromTheReadingPass() throws {
        let path = Fixtures.file("abc")
        let input = try TextInput(path: path, recordsDigest: true)
        #expect(!input.isStream)
        #expect(input.digest == nil)
        _ = try TokenCounts(input: input, pipeline: TextPipeline())
        #expect(input.digest?.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// The digest is taken over the bytes a pass read: a file rewritten after its first bytes
    /// were read is hashed as those bytes and the rest as they are now (what was tokenized),
    /// not as it was at another time.
    @Test func theDigestIsOverTheBytesRead() throws {
        let path = Fixtures.file(String(repeating: "a", count: 100))
        let input = try TextInput(path: path, recordsDigest: true)
        var first = [UInt8](repeating: 0, count: 10)
        #expect(try first.withUnsafeMutableBytes { try input.read(into: $0.baseAddress!, count: 10, at: 0) } == 10)
        try Data(String(repeating: "b", count: 30).utf8).write(to: URL(fileURLWithPath: path))
        let read = first + Array(String(repeating: "b", count: 20).utf8)
        #expect(try input.contentDigest() == ContentDigest(bytes: 30, sha256: SHA256.hexDigest(of: read)))
    }

    /// A file truncated or rewritten between two complete passes (the vocabulary's, then the
    /// token stream's) is refused, naming it, rather than recorded as what neither pass read.
    @Test(arguments: ["the time", "the time machine by h g wellz\n"])
    func aFileThatChangesBetweenPassesIsRefused(replacement: String) throws {
        let path = Fixtures.file("the time machine by h g wells\n")
        let input = try TextInput(path: path, recordsDigest: true)
        _ = try TokenCounts(input: input, pipeline: TextPipeline())
        let before = try #require(input.digest)
        try Data(replacement.utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            _ = try TokenCounts(input: input, pipeline: TextPipeline())
        } throws: { error in
            "\(error)".hasPrefix("\(path): cannot read: it changed while it was read")
        }
        #expect(input.digest == before)
    }

    /// Passes over an unchanged file agree, and a pass cut short is completed by `contentDigest()`.
    @Test func passesOverAnUnchangedFileAgree() throws {
        let text = String(repeating: "the time machine\n", count: 1000)
        let input = try TextInput(path: Fixtures.file(text), recordsDigest: true)
        _ = try TokenCounts(input: input, pipeline: TextPipeline())
        var head = [UInt8](repeating: 0, count: 100)
        _ = try head.withUnsafeMutableBytes { try input.read(into: $0.baseAddress!, count: 100, at: 0) }
        #expect(try input.contentDigest() == ContentDigest(bytes: text.utf8.count, sha256: SHA256.hexDigest(of: Array(text.utf8))))
    }

    @Test func aFIFOWithoutAWriterFailsInTime() throws {
        let fifo = Fixtures.temporaryDirectory() + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let started = Date()
        #expect(throws: FileError.unreadable(path: fifo, reason: "is a FIFO and nothing was written to it within 0.2 s; start the program that writes it first")) {
            _ = try TextInput(path: fifo, writerTimeout: 0.2)
        }
        #expect(Date().timeIntervalSince(started) < 3)
    }

    /// Lines longer than the read buffer are cut only where the tokens cannot change: every
    /// preset and level gives the same tokens through a 16-byte buffer as in memory.
    @Test(arguments: [Preprocessor.Preset.d2l, .unicode, .raw], [TextPipeline.Level.char, .word])
    func longLinesInPiecesGiveTheSameTokens(preset: Preprocessor.Preset, level: TextPipeline.Level) throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = ["a", "B", "c", " ", " ", "\t", ",", "é", "e\u{301}", "🇫🇷", "👍🏽", "ß", "\u{301}", "1", "\r", "Ｆ"]
        var text = ""
        for _ in 0..<600 { text += alphabet.randomElement(using: &generator)! }
        text += "\n" + text.prefix(50) + "\n" + text
        let pipeline = TextPipeline(preprocessor: Preprocessor(preset: preset), level: level, endOfLine: true)
        let expected = try pipeline.tokens(of: text)
        var pieces = TokenList()
        try pipeline.forEachToken(in: try TextInput(path: Fixtures.file(text)), into: &pieces, chunkSize: 16)
        #expect(pieces.tokens == expected)
    }
}
