import Testing
@testable import LMText

@Suite struct CharacterTokenizerTests {
    let tokenizer = CharacterTokenizer()

    @Test func asciiIsOneTokenPerByteExceptCRLF() {
        #expect(tokenizer.tokens(of: "ab c") == ["a", "b", " ", "c"])
        #expect(tokenizer.tokens(of: "a\r\nb\r") == ["a", "\r\n", "b", "\r"])
    }

    @Test func graphemeClustersAreSingleTokens() {
        let family = "\u{1F469}\u{200D}\u{1F469}\u{200D}\u{1F467}"
        #expect(tokenizer.tokens(of: "\u{1F1EB}\u{1F1F7}\u{1F1E9}\u{1F1EA}") == ["\u{1F1EB}\u{1F1F7}", "\u{1F1E9}\u{1F1EA}"])  // two flags
        #expect(tokenizer.tokens(of: "a\(family)b") == ["a", family, "b"])
        #expect(tokenizer.tokens(of: "\u{1F44D}\u{1F3FD}!") == ["\u{1F44D}\u{1F3FD}", "!"])   // skin tone
        #expect(tokenizer.tokens(of: "e\u{301}t\u{E9}") == ["e\u{301}", "t", "\u{E9}"])        // combining accent
        #expect(tokenizer.tokens(of: "\u{1100}\u{1161}\u{11A8}\u{D55C}") == ["\u{1100}\u{1161}\u{11A8}", "\u{D55C}"])  // jamo and precomposed Hangul
        #expect(tokenizer.tokens(of: "한국어") == ["한", "국", "어"])
    }

    /// Swift's String segments by the same UAX #29 rules; scripts without Indic conjuncts
    /// (which changed in Unicode 15.1) must agree.
    @Test(arguments: ["Привет мир", "Γειά σου", "ภาษาไทย", "مرحبا", "日本語テキスト", "עִבְרִית", "Zoë ñandú", "x\u{20DD}y"])
    func multiScriptTextAgreesWithSwiftsSegmentation(text: String) {
        #expect(tokenizer.tokens(of: text) == text.map(String.init))
    }
}
