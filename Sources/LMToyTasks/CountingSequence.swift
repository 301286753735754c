import LMData

/// The "simple sequence" counting dataset of the Chainer tutorial: `1, 2 2, 3 3 3, …` — each
/// value `v` repeated `v` times — for `v` in `1..<vocabularySize`, the whole cycle repeated.
///
/// To predict the token after a run, a network must count how many times the current value has
/// appeared. Following the tutorial (`for j in range(n_vocab): for k in range(j)`), the largest
/// value is `vocabularySize − 1`, so every id indexes a vocabulary of `vocabularySize` entries;
/// id 0 never occurs. One cycle has `vocabularySize·(vocabularySize − 1) / 2` tokens. The
/// sequence involves no randomness (it is the same for every seed).
public struct CountingSequence: Sendable, Equatable {
    /// Ids `0..<vocabularySize`; values `1…vocabularySize − 1` occur.
    public let vocabularySize: Int
    /// How many times the cycle is repeated (the tutorial's `repeat`, 100 by default).
    public let repeats: Int

    /// Tokens in one cycle `1, 2 2, …`: `vocabularySize·(vocabularySize − 1) / 2`.
    public var cycleLength: Int { vocabularySize * (vocabularySize - 1) / 2 }

    /// Total tokens, `cycleLength × repeats`.
    public var count: Int { cycleLength * repeats }

    /// Describes the dataset.
    /// - Throws: ``ToyTaskError/invalidParameter(_:)`` unless `vocabularySize >= 2` and `repeats >= 1`.
    public init(vocabularySize: Int, repeats: Int = 100) throws {
        guard vocabularySize >= 2 else {
            throw ToyTaskError.invalidParameter(
                "counting sequence needs a vocabulary of at least 2 ids (got \(vocabularySize))")
        }
        guard repeats >= 1 else {
            throw ToyTaskError.invalidParameter("counting sequence needs at least 1 repeat (got \(repeats))")
        }
        self.vocabularySize = vocabularySize
        self.repeats = repeats
    }

    /// The ids, `count` of them.
    public var ids: [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(count)
        for _ in 0..<repeats {
            for value in 1..<vocabularySize {
                for _ in 0..<value { out.append(Int32(value)) }
            }
        }
        return out
    }

    /// The ids as a compact ``TokenStream`` over `vocabularySize` ids.
    public func tokenStream() throws -> TokenStream {
        try TokenStream(ids: ids, vocabularySize: vocabularySize)
    }
}
