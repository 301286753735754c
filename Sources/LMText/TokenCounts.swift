import Foundation
import LMFileSystem

/// Token frequencies of a corpus, counted as a stream, remembering the order in which tokens
/// were first seen (so that ties sort as Python's stable sort over a `Counter` does).
/// Memory grows with the number of distinct tokens, not with the corpus.
public struct TokenCounts: TokenSink, Sendable {
    /// Counts of single-byte ASCII tokens, indexed by byte (the fast path).
    private var asciiCounts = [Int](repeating: 0, count: 128)
    /// Counts of all other tokens.
    private var otherCounts: [String: Int] = [:]
    /// Distinct tokens in first-seen order.
    public private(set) var firstSeen: [String] = []
    /// Number of tokens counted.
    public private(set) var total = 0

    /// No tokens yet.
    public init() {}

    /// Counts every token of a file through `pipeline`.
    public init(file path: String, pipeline: TextPipeline) throws {
        try self.init(input: try TextInput(path: path), pipeline: pipeline)
    }

    /// Counts every token of an opened input through `pipeline`, exactly as
    /// `pipeline.forEachToken(in:into:)` into a fresh `TokenCounts` would, reading `chunkSize`
    /// bytes at a time. At character level, runs of ASCII lines are counted from their bytes
    /// (``ASCIICharacterCounter``); other lines, and word level, go token by token.
    public init(input: TextInput, pipeline: TextPipeline, chunkSize: Int = 1 << 20) throws {
        if pipeline.level == .char {
            try countCharacters(in: input, pipeline: pipeline, chunkSize: chunkSize)
        } else {
            try pipeline.forEachToken(in: input, into: &self, chunkSize: chunkSize)
        }
    }

    /// Counts a list of tokens.
    public init<S: Sequence>(tokens: S) where S.Element == String {
        for token in tokens { consume(token) }
    }

    @inline(__always)
    public mutating func consumeASCII(_ byte: UInt8) {
        if asciiCounts[Int(byte)] == 0 { firstSeen.append(String(UnicodeScalar(byte))) }
        asciiCounts[Int(byte)] &+= 1
        total &+= 1
    }

    public mutating func consume(_ token: String) {
        let utf8 = token.utf8
        if utf8.count == 1, let byte = utf8.first, byte < 0x80 {
            consumeASCII(byte)
            return
        }
        otherCounts[token, default: 0] += 1
        if otherCounts[token] == 1 { firstSeen.append(token) }
        total &+= 1
    }

    /// Adds a block's character counts, unless they hold a token not counted before (whose
    /// place in first-seen order they cannot tell); returns whether it added them.
    mutating func add(_ tally: ASCIICharacterCounter.Tally) -> Bool {
        for byte in 0..<128 where tally.bytes[byte] > 0 && asciiCounts[byte] == 0 { return false }
        let pairs = "\r\n", end = TextPipeline.endOfLineToken
        if tally.lineBreakPairs > 0 && otherCounts[pairs] == nil { return false }
        if tally.endsOfLine > 0 && otherCounts[end] == nil { return false }
        for byte in 0..<128 { asciiCounts[byte] &+= tally.bytes[byte] }
        if tally.lineBreakPairs > 0 { otherCounts[pairs, default: 0] &+= tally.lineBreakPairs }
        if tally.endsOfLine > 0 { otherCounts[end, default: 0] &+= tally.endsOfLine }
        total &+= tally.total
        return true
    }

    /// Character-level counting: each block of lines is split into runs of ASCII lines,
    /// counted by the ASCII counter (or token by token when a run brings a new token), and
    /// lines with other bytes, which go through the pipeline token by token.
    private mutating func countCharacters(in input: TextInput, pipeline: TextPipeline, chunkSize: Int) throws {
        var counter = ASCIICharacterCounter(pipeline: pipeline)
        var processor = LineProcessor(pipeline: pipeline)
        let path = input.path
        func tokenByToken(_ lines: UnsafeBufferPointer<UInt8>, offset: Int, endsLine: Bool) throws {
            var start = 0
            try Lines.forEach(in: lines) { line in
                try processor.tokenize(line, endsLine: endsLine || line.last == 0x0A, path: path, offset: offset + start, into: &self)
                start += line.count
            }
        }
        /// A run of ASCII lines: counted whole, or when it brings a new token, in pieces of
        /// about `piece` bytes, each counted whole unless it brings one, then token by token.
        let piece = 1 << 12
        func countASCII(_ run: UnsafeBufferPointer<UInt8>, offset: Int, endsLine: Bool) throws {
            var state = processor.lineState
            counter.count(run, endsLine: endsLine, state: &state)
            if add(counter.tally) { processor.lineState = state; return }
            var start = 0
            while start < run.count {
                var end = min(start + piece, run.count)
                while end < run.count && run[end - 1] != 0x0A { end += 1 }
                let part = UnsafeBufferPointer(rebasing: run[start..<end])
                let partEndsLine = endsLine || end < run.count
                state = processor.lineState
                counter.count(part, endsLine: partEndsLine, state: &state)
                if add(counter.tally) {
                    processor.lineState = state
                } else {
                    try tokenByToken(part, offset: offset + start, endsLine: partEndsLine)
                }
                start = end
            }
        }
        try LineReader(input: input, chunkSize: chunkSize).forEachBlock(cuttingAt: pipeline.isSafeCut) { block, offset, endsLine in
            let base = block.baseAddress!
            var start = 0
            while start < block.count {
                let other = UTF8Validation.asciiPrefixLength(of: UnsafeBufferPointer(rebasing: block[start...])) + start
                var asciiEnd = other
                if other < block.count {
                    // Back to the start of the line that holds the non-ASCII byte.
                    while asciiEnd > start && block[asciiEnd - 1] != 0x0A { asciiEnd -= 1 }
                }
                if asciiEnd > start {
                    try countASCII(UnsafeBufferPointer(rebasing: block[start..<asciiEnd]), offset: offset + start,
                                   endsLine: endsLine || asciiEnd < block.count)
                }
                if other == block.count { break }
                var lineEnd = block.count
                if let found = memchr(base + other, 0x0A, block.count - other) {
                    lineEnd = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) + 1
                }
                try tokenByToken(UnsafeBufferPointer(rebasing: block[asciiEnd..<lineEnd]), offset: offset + asciiEnd,
                                 endsLine: endsLine || lineEnd < block.count)
                start = lineEnd
            }
        }
    }

    /// How often `token` occurred.
    public func count(of token: String) -> Int {
        let utf8 = token.utf8
        if utf8.count == 1, let byte = utf8.first, byte < 0x80 { return asciiCounts[Int(byte)] }
        return otherCounts[token] ?? 0
    }

    /// Number of distinct tokens.
    public var distinct: Int { firstSeen.count }

    /// (token, count) by descending count, ties in first-seen order.
    public func sortedByFrequency() -> [(token: String, count: Int)] {
        let entries = firstSeen.enumerated().map { (order: $0.offset, token: $0.element, count: count(of: $0.element)) }
        return entries.sorted { $0.count != $1.count ? $0.count > $1.count : $0.order < $1.order }
            .map { (token: $0.token, count: $0.count) }
    }
}
