import Testing
@testable import LMText

@Suite struct PreprocessorTests {
    let d2l = Preprocessor(preset: .d2l)

    /// Expected values are what Python gives for re.sub('[^A-Za-z]+', ' ', line).strip().lower().
    @Test(arguments: [
        ("The Time Machine, by H. G. Wells [1898]\n", "the time machine by h g wells"),
        ("  Hello,   World!!  \n", "hello world"),
        ("don't\n", "don t"),
        ("1234 -- 5678\n", ""),
        ("\n", ""),
        ("\tTabs\tand CRLF\r\n", "tabs and crlf"),
        ("café au lait\n", "caf au lait"),            // é is not in [A-Za-z]
        ("cafe\u{301}s\n", "cafe s"),                  // decomposed é: the accent alone is a non-letter
        ("naïve—ÜBER\n", "na ve ber"),                 // runs of non-ASCII collapse to one space
        ("ΑΒΓ abc\n", "abc"),
        ("no newline at end", "no newline at end"),
    ])
    func d2lPresetMatchesPython(line: String, expected: String) {
        #expect(d2l.process(line) == expected)
    }

    @Test func d2lJoinsLinesWithNothingBetween() {
        #expect(d2l.process("Time\nMachine\n") == "timemachine")
    }

    @Test func nfcComposesAndNFKCAlsoFoldsCompatibilityForms() {
        var nfc = Preprocessor(preset: .raw)
        nfc.normalization = .nfc
        var nfkc = Preprocessor(preset: .raw)
        nfkc.normalization = .nfkc
        #expect(nfc.process("cafe\u{301}").unicodeScalars.map(\.value) == [0x63, 0x61, 0x66, 0xE9])
        #expect(nfc.process("\u{FB01}ne") == "\u{FB01}ne")   // ﬁ ligature kept by NFC
        #expect(nfkc.process("\u{FB01}ne") == "fine")         // and split by NFKC
        #expect(nfkc.process("ＡＢＣ１") == "ABC1")               // full-width forms
        #expect(Preprocessor(preset: .raw).process("cafe\u{301}").unicodeScalars.count == 5)
    }

    @Test func caseFoldingIsFullUnicodeFolding() {
        var fold = Preprocessor(preset: .raw)
        fold.caseFold = true
        #expect(fold.process("Straße") == "strasse")
        #expect(fold.process("ΣΑΣ Привет ABC") == "σασ привет abc")
        #expect(fold.process("HELLO\n") == "hello\n")   // ASCII path keeps line ends in raw mode
    }

    @Test func unicodePresetKeepsLettersOfEveryScriptAndEmojiSequences() {
        let unicode = Preprocessor(preset: .unicode)
        #expect(unicode.process("Привет, МИР! 123\n") == "привет мир")
        #expect(unicode.process("日本語のテキスト。\n") == "日本語のテキスト")
        #expect(unicode.process("مرحبا بالعالم!\n") == "مرحبا بالعالم")
        // Family emoji (ZWJ sequence), skin tone, flag: kept whole, unlike utf8proc_NFKC_Casefold.
        let family = "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}"
        #expect(unicode.process("Hi \(family)!\n") == "hi \(family)")
        #expect(unicode.process("\u{1F44D}\u{1F3FD} OK \u{1F1EB}\u{1F1F7}") == "\u{1F44D}\u{1F3FD} ok \u{1F1EB}\u{1F1F7}")
        #expect(unicode.process("Cafe\u{301}!") == "caf\u{E9}")   // NFKC composes, folding lowers
    }

    @Test func rawPresetKeepsEverything() {
        let raw = Preprocessor(preset: .raw)
        #expect(raw.process("A, b!\r\n") == "A, b!\r\n")
    }

    /// d2l's Python on 277 non-ASCII lines (every script, ligatures, case-special letters,
    /// compatibility forms, emoji, Unicode spaces): `Tests/Fixtures/D2LPreset/expected.txt` is
    /// `re.sub('[^A-Za-z]+', ' ', line).strip().lower()` of each line of `lines.txt`, written by
    /// its `generate.py`. Line by line, and through the char-level pipeline as one file.
    @Test func d2lPresetEqualsD2LsPythonOnNonASCIILines() throws {
        let lines = try String(contentsOfFile: Fixtures.committed("D2LPreset/lines.txt"), encoding: .utf8)
        let expected = try String(contentsOfFile: Fixtures.committed("D2LPreset/expected.txt"), encoding: .utf8)
            .utf8.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
        let inputs = lines.utf8.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) + "\n" }
        #expect(inputs.count == expected.count && inputs.count >= 200)
        #expect(inputs.filter { $0.unicodeScalars.contains { $0.value > 0x7F } }.count >= 200)
        for (number, (line, python)) in zip(inputs, expected).enumerated() {
            #expect(d2l.process(line) == python, "line \(number + 1): \(line.debugDescription)")
        }
        let tokens = try TextPipeline(preprocessor: d2l, level: .char).tokens(of: lines)
        #expect(tokens == expected.joined().map(String.init))
    }

    /// The letters that case folding turns into ASCII letters are dropped, as d2l drops them.
    @Test(arguments: [
        ("\u{212A}elvin", "elvin"), ("\u{130}stanbul", "stanbul"), ("stra\u{DF}e", "stra e"), ("\u{FB01}le", "le"),
        ("\u{17F}un", "un"), ("\u{FF21}BC", "bc"), ("\u{1D400}x", "x"),
    ])
    func d2lFiltersBeforeLowercasing(line: String, expected: String) {
        #expect(d2l.process(line) == expected)
    }
}

