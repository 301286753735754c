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
        try pipeline.forEachToken(inFile: path, into: &self)
    }

    /// Counts every token of an opened input through `pipeline`.
    public init(input: TextInput, pipeline: TextPipeline) throws {
        try pipeline.forEachToken(in: input, into: &self)
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
