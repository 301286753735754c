import Testing
@testable import LMText

@Suite struct WordTokenizerTests {
    @Test func whitespaceSplitIsPythonsSplit() {
        let words = WordTokenizer(splitting: .whitespace)
        #expect(words.tokens(of: "  the time\tmachine\n") == ["the", "time", "machine"])
        #expect(words.tokens(of: "a\u{3000}b\u{A0}c\u{2028}d") == ["a", "b", "c", "d"])   // Unicode white space
        #expect(words.tokens(of: "don't stop,") == ["don't", "stop,"])
        #expect(words.tokens(of: "").isEmpty)
    }

    @Test func unicodeSplitSeparatesPunctuation() {
        let words = WordTokenizer(splitting: .unicode)
        #expect(words.tokens(of: "Hello, world!") == ["Hello", ",", "world", "!"])
        #expect(words.tokens(of: "«Привет» — мир…") == ["«", "Привет", "»", "—", "мир", "…"])
        #expect(words.tokens(of: "snake_case x2 café") == ["snake_case", "x2", "café"])
        #expect(words.tokens(of: "ok\u{1F44D}\u{1F3FD}go") == ["ok", "\u{1F44D}\u{1F3FD}", "go"])
    }
}
