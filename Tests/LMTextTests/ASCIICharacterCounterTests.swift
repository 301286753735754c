import Foundation
import LMFileSystem
import Testing
@testable import LMText

/// The character-level counting path (`TokenCounts(input:pipeline:)`: ASCII runs counted
/// from their bytes) against the reference, the pipeline token by token into a `TokenCounts`.
@Suite struct ASCIICharacterCounterTests {
    /// Character-level pipelines: the presets, and the filter × case-folding combinations.
    static let pipelines: [TextPipeline] = {
        var list: [TextPipeline] = []
        for preset in Preprocessor.Preset.allCases {
            for endOfLine in [false, true] {
                list.append(TextPipeline(preprocessor: Preprocessor(preset: preset), level: .char, endOfLine: endOfLine))
            }
        }
        for filter in Preprocessor.Filter.allCases {
            for caseFold in [false, true] {
                list.append(TextPipeline(preprocessor: Preprocessor(preset: .raw, normalization: .nfc, caseFold: caseFold, filter: filter),
                                         level: .char, endOfLine: caseFold))
            }
        }
        return list
    }()

    /// Texts that put graphemes, UTF-8 sequences and CR LF across buffer boundaries, lines
    /// longer than the buffer, new tokens late in a long ASCII run, and lines without letters.
    static let texts: [String] = {
        let ascii = String(repeating: "The Time Traveller (for so it will be convenient to speak of him), 1895.\n", count: 120)
        return [
            "",
            "\n",
            "abc",
            "  ,, \n\n x \n",
            "Ab, cd\r\n  EF\n;;\n\rx\r",
            "a\r\nb\r\n\r\n\r",
            "e\u{301}t\u{E9} caf\u{E9}\nE\u{301}\u{301}x\n",
            "x\ne\u{301}\r\n\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467} ok\n",
            "\u{1F1EB}\u{1F1F7}Z\u{1F1E9}\u{1F1EA}\n한국어 Hangul\u{1100}\u{1161}\u{11A8}\n",
            ascii + "Zebra QUIZ jumps #7 é\n" + ascii + "\t~`{}|\n" + ascii,
            String(repeating: "abcdefgh", count: 700) + "\r\n" + String(repeating: "xy, ", count: 500) + "Ω" + String(repeating: "q", count: 300),
            ascii + "last line without letters: 12345 !!",
            "tail é",
        ]
    }()

    /// Random text from an alphabet of ASCII letters, spaces, punctuation, line ends and
    /// multi-byte graphemes, some starting with an ASCII letter.
    static func randomText(seed: UInt64, length: Int) -> String {
        let pieces = ["a", "b", "Z", "q", "E", " ", "  ", ",", "1", "\t", "\n", "\n", "\r", "\r\n", "e\u{301}", "\u{E9}",
                      "\u{1F44D}\u{1F3FD}", "\u{0}", "\u{7F}", "ß", "İ", "ﬁ", "\u{200D}", "\u{301}"]
        var random = Mutations(seed: seed)
        var text = ""
        for _ in 0..<length {
            // Long ASCII stretches, so that runs are counted whole and cut by the buffer.
            if random.below(4) == 0 {
                text += String(repeating: pieces[random.below(6)] + pieces[random.below(11)], count: random.below(40))
            } else {
                text += pieces[random.below(pieces.count)]
            }
        }
        return text
    }

    /// The reference: every token through the line-by-line pipeline.
    static func reference(_ path: String, _ pipeline: TextPipeline) throws -> TokenCounts {
        var counts = TokenCounts()
        try pipeline.forEachToken(in: try TextInput(path: path), into: &counts)
        return counts
    }

    static func expectSame(_ fast: TokenCounts, _ reference: TokenCounts, _ context: String) {
        #expect(fast.firstSeen == reference.firstSeen, "\(context)")
        #expect(fast.total == reference.total, "\(context)")
        #expect(fast.sortedByFrequency().map(\.count) == reference.sortedByFrequency().map(\.count), "\(context)")
    }

    @Test(arguments: [7, 16, 64, 1000, 1 << 20])
    func fixedTextsCountAsTheReference(chunkSize: Int) throws {
        for (number, text) in Self.texts.enumerated() {
            let path = Fixtures.file(text)
            for pipeline in Self.pipelines {
                let fast = try TokenCounts(input: try TextInput(path: path), pipeline: pipeline, chunkSize: chunkSize)
                Self.expectSame(fast, try Self.reference(path, pipeline), "text \(number), \(pipeline.summary), chunk \(chunkSize)")
            }
        }
    }

    @Test(arguments: [1, 2, 3, 5, 13, 64, 4096])
    func randomTextsCountAsTheReference(chunkSize: Int) throws {
        for seed in 0..<6 as Range<UInt64> {
            let path = Fixtures.file(Self.randomText(seed: seed &* 977 &+ UInt64(chunkSize), length: 1_500))
            for pipeline in Self.pipelines {
                let fast = try TokenCounts(input: try TextInput(path: path), pipeline: pipeline, chunkSize: chunkSize)
                Self.expectSame(fast, try Self.reference(path, pipeline), "seed \(seed), \(pipeline.summary), chunk \(chunkSize)")
            }
        }
    }

    /// The vocabulary and its file are the same, byte for byte, on the time machine.
    @Test func timeMachineVocabularyFilesAreByteIdentical() throws {
        let input = try TextInput(path: Fixtures.timeMachine)
        for pipeline in Self.pipelines {
            let file = try VocabularyFile.build(corpus: input, pipeline: pipeline, settings: .init())
            let counts = try Self.reference(Fixtures.timeMachine, pipeline)
            let vocabulary = try Vocabulary(counts: counts)
            var expected = file
            expected.tokens = vocabulary.tokens
            expected.frequencies = vocabulary.frequencies
            expected.source.tokens = counts.total
            #expect(try file.encoded() == expected.encoded(), "\(pipeline.summary)")
        }
        let d2l = try TokenCounts(input: input, pipeline: TextPipeline())
        #expect(d2l.total == 170_580)
        #expect(d2l.distinct == 27)
    }

    /// A block's tally as the preprocessor and tokenizer would give it, state carried over a
    /// cut in the middle of a line.
    @Test func tallyOfABlockCarriesTheLineStateOverACut() {
        var counter = ASCIICharacterCounter(pipeline: TextPipeline(endOfLine: true))
        var state = Preprocessor.LineState()
        let text = Array(" Ab, c".utf8), rest = Array("D\nE f;\n..".utf8)
        text.withUnsafeBufferPointer { counter.count($0, endsLine: false, state: &state) }
        #expect(state.emitted && !state.pendingSpace)
        var letters = counter.tally.bytes
        #expect(letters[Int(UInt8(ascii: "a"))] == 1 && letters[Int(UInt8(ascii: "c"))] == 1 && letters[0x20] == 1)
        #expect(counter.tally.total == 4)
        rest.withUnsafeBufferPointer { counter.count($0, endsLine: true, state: &state) }
        letters = counter.tally.bytes
        // "d", then "\n" ends the line: <eos>; "e", " ", "f", <eos>; ".." outputs nothing and ends the file.
        #expect(letters[Int(UInt8(ascii: "d"))] == 1 && letters[Int(UInt8(ascii: "e"))] == 1 && letters[0x20] == 1)
        #expect(counter.tally.endsOfLine == 2)
        #expect(counter.tally.total == 6)
        #expect(state == Preprocessor.LineState())
    }

    /// A tally with a token not counted yet is refused (its first-seen place is unknown).
    @Test func aNewTokenIsRefusedAndNothingIsAdded() {
        var counts = TokenCounts(tokens: ["a", "b"])
        var tally = ASCIICharacterCounter.Tally()
        tally.bytes[Int(UInt8(ascii: "b"))] = 3
        let added = counts.add(tally)
        #expect(added)
        #expect(counts.count(of: "b") == 4 && counts.total == 5)
        tally.bytes[Int(UInt8(ascii: "c"))] = 1
        let addedNewByte = counts.add(tally)
        tally = ASCIICharacterCounter.Tally()
        tally.endsOfLine = 1
        let addedNewEndOfLine = counts.add(tally)
        #expect(!addedNewByte && !addedNewEndOfLine)
        #expect(counts.count(of: "b") == 4 && counts.total == 5 && counts.firstSeen == ["a", "b"])
    }

    /// Invalid UTF-8 is reported at the same offset, and replaced the same way.
    @Test(arguments: [3, 8, 1 << 20])
    func invalidUTF8IsFoundAsByTheReference(chunkSize: Int) throws {
        let bytes = Array(String(repeating: "ab cd\n", count: 3).utf8) + [0x78, 0xE2, 0x82, 0x0A] + Array("x\n".utf8)
        let path = Fixtures.file(bytes)
        #expect(throws: TextError.invalidUTF8(path: path, offset: 19)) {
            try TokenCounts(input: try TextInput(path: path), pipeline: TextPipeline(), chunkSize: chunkSize)
        }
        let replacing = TextPipeline(preprocessor: Preprocessor(preset: .raw), replaceInvalidUTF8: true)
        let fast = try TokenCounts(input: try TextInput(path: path), pipeline: replacing, chunkSize: chunkSize)
        Self.expectSame(fast, try Self.reference(path, replacing), "replaced, chunk \(chunkSize)")
        #expect(fast.count(of: "\u{FFFD}") == 1)
    }
}
