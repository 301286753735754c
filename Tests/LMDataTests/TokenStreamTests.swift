import Foundation
import Testing
@testable import LMData

@Suite struct TokenStreamTests {
    @Test(arguments: [(1, TokenWidth.uint8), (256, .uint8), (257, .uint16), (65_536, .uint16),
                      (65_537, .uint32), (TokenStream.maxVocabularySize, .uint32)])
    func widthFollowsVocabularySize(vocabularySize: Int, width: TokenWidth) throws {
        #expect(TokenWidth.fitting(vocabularySize: vocabularySize) == width)
        let ids = [0, vocabularySize - 1, vocabularySize / 2]
        let stream = try TokenStream(ids: ids, vocabularySize: vocabularySize)
        #expect(stream.width == width)
        #expect(stream.byteCount == 3 * width.bytesPerToken)
        #expect((0..<3).map { stream[$0] } == ids)
    }

    @Test(arguments: propertySeeds)
    func idsRoundTripAtEveryWidth(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let vocabularySize = [2, 28, 256, 4_580, 65_536, 100_000, 3_000_000][g.next(below: 7)]
        let (stream, ids) = try randomStream(length: g.next(below: 500), vocabularySize: vocabularySize, generator: &g)
        #expect(stream.count == ids.count)
        #expect(stream.ids.map(Int.init) == ids)
        #expect(stream.bytesPerToken <= 4)
        if ids.count > 3 {
            let start = g.next(below: ids.count - 1), n = g.next(below: ids.count - start)
            var window = [Int32](repeating: -1, count: n + 1)
            window.withUnsafeMutableBufferPointer { stream.copy(from: start, count: n, into: $0.baseAddress!) }
            #expect(window.dropLast().map(Int.init) == Array(ids[start..<(start + n)]))
            #expect(window.last == -1) // nothing written past the window
            var wrapped = [Int32](repeating: 0, count: 2 * ids.count + 3)
            wrapped.withUnsafeMutableBufferPointer { stream.copyWrapping(from: start, count: $0.count, into: $0.baseAddress!) }
            #expect(wrapped.enumerated().allSatisfy { Int($0.element) == ids[(start + $0.offset) % ids.count] })
        }
    }

    @Test func outOfRangeIdsAndBadVocabulariesAreRejected() {
        #expect(throws: TokenStreamError.idOutOfRange(id: 28, position: 2, vocabularySize: 28)) {
            try TokenStream(ids: [0, 27, 28], vocabularySize: 28)
        }
        #expect(throws: TokenStreamError.idOutOfRange(id: -1, position: 0, vocabularySize: 5)) {
            try TokenStream(ids: [-1], vocabularySize: 5)
        }
        #expect(throws: TokenStreamError.invalidVocabularySize(0)) { try TokenStream(ids: [Int](), vocabularySize: 0) }
        let message = TokenStreamError.idOutOfRange(id: 28, position: 2, vocabularySize: 28).description
        #expect(message.contains("0..<28") && message.contains("position 2"))
    }

    @Test func maxTokensTruncatesAsD2L() throws {
        let ids = Array(0..<100)
        // d2l: `if max_tokens > 0: corpus = corpus[:max_tokens]`.
        for maxTokens in [-1, 0, 1, 10, 99, 100, 1000] {
            let stream = try TokenStream(ids: ids, vocabularySize: 100, maxTokens: maxTokens)
            let expected = maxTokens > 0 ? Array(ids.prefix(maxTokens)) : ids
            #expect(stream.ids.map(Int.init) == expected)
            #expect(try TokenStream(ids: ids, vocabularySize: 100).prefix(maxTokens: maxTokens) == stream)
        }
    }

    @Test(arguments: propertySeeds)
    func splitIsContiguousDisjointAndTakesFractionsAtTheEnd(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let n = g.next(below: 2000)
        let stream = try positionStream(length: n)
        let validation = g.nextDouble() * 0.5, test = g.nextDouble() * 0.5
        let split = try stream.split(validation: validation, test: test)
        #expect(split.test.count == Int((Double(n) * test).rounded(.down)))
        #expect(split.validation.count == Int((Double(n) * validation).rounded(.down)))
        #expect(split.train.count + split.validation.count + split.test.count == n)
        // Concatenating the parts gives the stream back, in order: train, validation, test.
        #expect(split.train.ids + split.validation.ids + split.test.ids == stream.ids)
        // Cutting shares storage: the parts report the same width and read the same ids.
        #expect(split.test.width == stream.width)
    }

    @Test func invalidSplitsAreRejected() {
        let stream = try! positionStream(length: 10)
        for (v, t) in [(-0.1, 0.1), (0.6, 0.5), (Double.nan, 0), (0, Double.infinity)] {
            #expect(throws: TokenStreamError.self) { try stream.split(validation: v, test: t) }
        }
        #expect(throws: TokenStreamError.rangeOutOfBounds(lower: 5, upper: 11, count: 10)) { try stream.slice(5..<11) }
    }

    @Test func builderStreamsIdsIntoTheSameStream() throws {
        var g = RandomGenerator(seed: 77)
        let ids = (0..<1000).map { _ in g.next(below: 300) }
        var builder = try TokenStream.Builder(vocabularySize: 300)
        for chunk in stride(from: 0, to: ids.count, by: 64) {
            try builder.append(contentsOf: ids[chunk..<min(chunk + 64, ids.count)])
        }
        #expect(builder.width == .uint16)
        let built = builder.finish()
        #expect(built == (try TokenStream(ids: ids, vocabularySize: 300)))
        try builder.append(5)
        #expect(built.count == 1000) // a finished stream is unaffected by later appends
        #expect(throws: TokenStreamError.idOutOfRange(id: 300, position: 1001, vocabularySize: 300)) {
            try builder.append(300)
        }
    }

    @Test func hundredMegabyteCorpusEncodesInAtMostFourBytesPerToken() throws {
        // A 100 MB character corpus is ~100 M tokens. Stream them in without knowing the count
        // (as a file is read), then check the memory the finished stream holds.
        let tokens = 100_000_000
        var builder = try TokenStream.Builder(vocabularySize: 28)
        for i in 0..<tokens { builder.appendUnchecked(UInt32(i % 28)) }
        let stream = builder.finish()
        #expect(stream.count == tokens)
        #expect(stream.bytesPerToken == 1 && stream.byteCount == tokens)
        #expect(stream.allocatedByteCount <= tokens + tokens / 8)
        #expect(stream[tokens - 1] == (tokens - 1) % 28)
        // Word-level and huge vocabularies: 2 and 4 bytes per token, spare capacity trimmed.
        for (vocabularySize, width) in [(4_580, 2), (1_000_000, 4)] {
            let n = 3_000_001
            var wide = try TokenStream.Builder(vocabularySize: vocabularySize)
            for i in 0..<n { try wide.append(i % vocabularySize) }
            let big = wide.finish()
            #expect(big.bytesPerToken == width)
            #expect(big.byteCount <= 4 * n)
            // Allocated: the ids plus at most an eighth spare (the allocator may round up a few bytes).
            #expect(big.allocatedByteCount <= width * (n + n / 8))
            #expect(big[n - 1] == (n - 1) % vocabularySize)
        }
    }
}
