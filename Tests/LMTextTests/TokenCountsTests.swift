import Testing
@testable import LMText

@Suite struct TokenCountsTests {
    @Test func tiesKeepFirstSeenOrderLikePythonsStableSort() {
        // Python: sorted(Counter("b a b a c é c é".split()).items(), key=lambda x: x[1], reverse=True)
        let counts = TokenCounts(tokens: ["b", "a", "b", "a", "c", "é", "c", "é", "z"])
        #expect(counts.sortedByFrequency().map(\.token) == ["b", "a", "c", "é", "z"])
        #expect(counts.total == 9)
        #expect(counts.count(of: "é") == 2)
    }

    @Test func asciiFastPathAndStringPathCountTheSameToken() {
        var counts = TokenCounts()
        counts.consumeASCII(UInt8(ascii: "x"))
        counts.consume("x")
        #expect(counts.count(of: "x") == 2)
        #expect(counts.distinct == 1)
    }
}
