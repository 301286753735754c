import LMFileSystem

/// A token ↔ id mapping as d2l's `Vocab` (2021 edition): id 0 is `<unk>`, then the reserved
/// tokens, then corpus tokens by descending frequency with ties in first-seen order; tokens
/// rarer than `minFrequency` are left out. Unknown tokens map to `<unk>`'s id: 0 in a vocabulary
/// LMKit builds, wherever it is in one read from a token list (a Hugging Face tokenizer trained
/// without special tokens has the corpus's own `<unk>` where its frequency puts it).
public struct Vocabulary: Sendable, Equatable {
    /// The token every unknown token maps to.
    public static let unknownToken = "<unk>"
    /// The id of `<unk>` in the vocabularies LMKit builds (``init(counts:reserved:minFrequency:maxSize:)``).
    public static let unknownID = 0

    /// Tokens by id.
    public let tokens: [String]
    /// Corpus count per id; for `<unk>`, the corpus tokens that fell outside the vocabulary.
    public let frequencies: [Int]
    /// The id of `<unk>`, which every token outside the vocabulary maps to.
    public let unknownID: Int
    private let index: [String: Int]
    /// Ids of single-byte ASCII tokens (``unknownID`` when absent), for fast encoding.
    private let asciiIDs: [Int32]

    /// Builds a vocabulary from counts.
    /// - Parameters:
    ///   - reserved: tokens placed right after `<unk>` (d2l's `reserved_tokens`).
    ///   - minFrequency: tokens seen fewer times are left out (d2l's `min_freq`); at least 1.
    ///   - maxSize: the most entries in all, `<unk>` and reserved tokens included; nil for no limit.
    public init(counts: TokenCounts, reserved: [String] = [], minFrequency: Int = 1, maxSize: Int? = nil) throws {
        guard minFrequency >= 1 else { throw TextError.invalidSetting("min-freq must be at least 1 (got \(minFrequency))") }
        var tokens = [Vocabulary.unknownToken]
        var seen: Set<String> = [Vocabulary.unknownToken]
        for token in reserved where seen.insert(token).inserted { tokens.append(token) }
        if let maxSize, maxSize < tokens.count {
            throw TextError.invalidSetting("max-size \(maxSize) is smaller than <unk> plus the \(reserved.count) reserved tokens")
        }
        var frequencies = tokens.map { counts.count(of: $0) }
        var covered = frequencies.reduce(0, +)
        for (token, count) in counts.sortedByFrequency() {
            if count < minFrequency { break }
            if let maxSize, tokens.count >= maxSize { break }
            if seen.insert(token).inserted {
                tokens.append(token)
                frequencies.append(count)
                covered += count
            }
        }
        frequencies[0] = counts.total - covered + counts.count(of: Vocabulary.unknownToken)
        try self.init(tokens: tokens, frequencies: frequencies)
    }

    /// A vocabulary from its token list (id order), `<unk>` anywhere in it. Throws when
    /// `<unk>` is missing, a token repeats, or the frequencies do not line up.
    public init(tokens: [String], frequencies: [Int]? = nil) throws {
        var index: [String: Int] = [:]
        index.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() {
            if index.updateValue(id, forKey: token) != nil {
                throw TextError.invalidSetting("token \(token.debugDescription) appears twice in the vocabulary")
            }
        }
        guard let unknownID = index[Vocabulary.unknownToken] else {
            throw TextError.invalidSetting("a vocabulary must hold \(Vocabulary.unknownToken), the token unknown tokens map to")
        }
        let frequencies = frequencies ?? [Int](repeating: 0, count: tokens.count)
        guard frequencies.count == tokens.count else {
            throw TextError.invalidSetting("\(frequencies.count) frequencies for \(tokens.count) tokens")
        }
        var asciiIDs = [Int32](repeating: Int32(unknownID), count: 128)
        for (id, token) in tokens.enumerated() {
            let utf8 = token.utf8
            if utf8.count == 1, let byte = utf8.first, byte < 0x80 { asciiIDs[Int(byte)] = Int32(id) }
        }
        self.tokens = tokens
        self.frequencies = frequencies
        self.unknownID = unknownID
        self.index = index
        self.asciiIDs = asciiIDs
    }

    /// Number of tokens, `<unk>` included.
    public var count: Int { tokens.count }

    /// The id of `token`, or ``unknownID`` when it is not in the vocabulary.
    public func id(of token: String) -> Int { index[token] ?? unknownID }

    /// Whether `token` has an id of its own.
    public func contains(_ token: String) -> Bool { index[token] != nil }

    /// The token with id `id` (precondition: 0 ≤ id < count).
    public func token(at id: Int) -> String { tokens[id] }

    /// The ids of a list of tokens.
    public func ids(of tokens: [String]) -> [Int] { tokens.map { id(of: $0) } }

    /// Fraction of the counted corpus tokens that have an id of their own (not `<unk>`).
    public var coverage: Double {
        let total = frequencies.reduce(0, +)
        return total == 0 ? 1 : Double(total - frequencies[unknownID]) / Double(total)
    }

    /// Streams the ids of every token of the file at `path`, tokenized by `pipeline`.
    public func forEachID(inFile path: String, pipeline: TextPipeline, _ body: (Int32) -> Void) throws {
        try forEachID(in: try TextInput(path: path), pipeline: pipeline, body)
    }

    /// Calls `body` with the id of every token of an opened input, read through `pipeline`.
    public func forEachID(in input: TextInput, pipeline: TextPipeline, _ body: (Int32) -> Void) throws {
        try withoutActuallyEscaping(body) { body in
            var encoder = Encoder(vocabulary: self, body: body)
            try pipeline.forEachToken(in: input, into: &encoder)
        }
    }

    /// Turns tokens into ids, using a table for single ASCII bytes.
    private struct Encoder: TokenSink {
        let vocabulary: Vocabulary
        let body: (Int32) -> Void
        @inline(__always) mutating func consumeASCII(_ byte: UInt8) { body(vocabulary.asciiIDs[Int(byte)]) }
        mutating func consume(_ token: String) { body(Int32(vocabulary.id(of: token))) }
    }
}
