import Foundation
import LMFileSystem
import Testing
@testable import LMText

@Suite struct TextInputTests {
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
