/// A token-id stream in contiguous compact storage.
///
/// Ids are stored as `UInt8`, `UInt16` or `UInt32` — the narrowest ``TokenWidth`` that holds
/// `0..<vocabularySize` — so a corpus costs at most 4 bytes per token and usually 1 (characters)
/// or 2 (words). No per-token strings are kept. Cutting (``split(validation:test:)``,
/// ``prefix(maxTokens:)``, ``slice(_:)``) shares the storage instead of copying it.
///
/// Samplers read windows with ``copy(from:count:into:)``, which widens ids into `Int32`.
public struct TokenStream: Sendable, Equatable {
    /// The largest supported vocabulary: ids must fit in `Int32` batches.
    public static let maxVocabularySize = Int(Int32.max)

    @usableFromInline
    enum Storage: Sendable, Equatable {
        case uint8([UInt8])
        case uint16([UInt16])
        case uint32([UInt32])
    }

    @usableFromInline var storage: Storage
    /// The window of `storage` this stream covers.
    @usableFromInline var bounds: Range<Int>

    /// Number of ids in the vocabulary; every id is in `0..<vocabularySize`.
    public let vocabularySize: Int

    /// Number of tokens in the stream.
    @inlinable public var count: Int { bounds.count }

    /// Whether the stream holds no tokens.
    public var isEmpty: Bool { bounds.isEmpty }

    /// The integer width of the storage.
    public var width: TokenWidth {
        switch storage {
        case .uint8: return .uint8
        case .uint16: return .uint16
        case .uint32: return .uint32
        }
    }

    /// Bytes of storage per token (1, 2 or 4).
    public var bytesPerToken: Int { width.bytesPerToken }

    /// Bytes of id storage this stream covers (`count × bytesPerToken`).
    public var byteCount: Int { count * bytesPerToken }

    /// Bytes allocated for the underlying storage, which cut streams (splits, prefixes) share
    /// with the stream they were cut from: its capacity times ``bytesPerToken``.
    public var allocatedByteCount: Int {
        switch storage {
        case .uint8(let a): return a.capacity
        case .uint16(let a): return a.capacity * 2
        case .uint32(let a): return a.capacity * 4
        }
    }

    /// Builds a stream from any sequence of integer ids.
    /// - Parameters:
    ///   - ids: token ids, each in `0..<vocabularySize`.
    ///   - vocabularySize: the vocabulary's size; it picks the storage width.
    ///   - maxTokens: keep only the first `maxTokens` ids when positive (d2l's `max_tokens`;
    ///     zero or negative keeps all). Ids past the limit are not read.
    /// - Throws: ``TokenStreamError`` for a bad vocabulary size or an out-of-range id.
    public init<S: Sequence>(ids: S, vocabularySize: Int, maxTokens: Int = -1) throws
    where S.Element: BinaryInteger {
        var builder = try Builder(vocabularySize: vocabularySize)
        builder.reserveCapacity(Swift.max(0, Swift.min(ids.underestimatedCount, maxTokens > 0 ? maxTokens : Int.max)))
        for id in ids {
            if maxTokens > 0 && builder.count >= maxTokens { break }
            try builder.append(id)
        }
        self = builder.finish()
    }

    @usableFromInline
    init(storage: Storage, bounds: Range<Int>, vocabularySize: Int) {
        self.storage = storage
        self.bounds = bounds
        self.vocabularySize = vocabularySize
    }

    /// The id at `index` (0-based within this stream).
    /// - Precondition: `0 <= index < count`.
    @inlinable
    public subscript(index: Int) -> Int {
        precondition(index >= 0 && index < count, "token index \(index) out of 0..<\(count)")
        let i = bounds.lowerBound + index
        switch storage {
        case .uint8(let a): return Int(a[i])
        case .uint16(let a): return Int(a[i])
        case .uint32(let a): return Int(a[i])
        }
    }

    /// The ids as a fresh `[Int32]` array (allocates `4 × count` bytes; for tests and small streams).
    public var ids: [Int32] {
        [Int32](unsafeUninitializedCapacity: count) { buf, initialized in
            if let base = buf.baseAddress { copy(from: 0, count: count, into: base) }
            initialized = count
        }
    }

    /// How many tokens of this stream are `id` (e.g. 0, `<unk>`, for the share of a stream the
    /// vocabulary does not cover). One pass, no allocation.
    public func occurrences(of id: Int) -> Int {
        func count<T: FixedWidthInteger>(_ a: [T]) -> Int {
            guard let target = T(exactly: id) else { return 0 }
            return a[bounds].reduce(0) { $0 + ($1 == target ? 1 : 0) }
        }
        switch storage {
        case .uint8(let a): return count(a)
        case .uint16(let a): return count(a)
        case .uint32(let a): return count(a)
        }
    }

    /// Writes `count` ids starting at `start` into `destination`, widened to `Int32`.
    /// This is the samplers' hot path: one contiguous loop, no allocation.
    /// - Precondition: `start >= 0`, `count >= 0`, `start + count <= self.count`, and
    ///   `destination` has room for `count` values.
    @inlinable
    public func copy(from start: Int, count n: Int, into destination: UnsafeMutablePointer<Int32>) {
        precondition(start >= 0 && n >= 0 && start + n <= count,
                     "window \(start)..<\(start + n) out of a stream of \(count) tokens")
        let s = bounds.lowerBound + start
        switch storage {
        case .uint8(let a):
            a.withUnsafeBufferPointer { src in
                for k in 0..<n { destination[k] = Int32(truncatingIfNeeded: src[s + k]) }
            }
        case .uint16(let a):
            a.withUnsafeBufferPointer { src in
                for k in 0..<n { destination[k] = Int32(truncatingIfNeeded: src[s + k]) }
            }
        case .uint32(let a):
            a.withUnsafeBufferPointer { src in
                for k in 0..<n { destination[k] = Int32(truncatingIfNeeded: src[s + k]) }
            }
        }
    }

    /// Writes `n` ids starting at `start` into `destination`, wrapping around to the
    /// beginning of the stream past its end (positions taken modulo ``count``).
    /// - Precondition: `count > 0`, `0 <= start < count`, `n >= 0`.
    @inlinable
    public func copyWrapping(from start: Int, count n: Int, into destination: UnsafeMutablePointer<Int32>) {
        precondition(count > 0 && start >= 0 && start < count && n >= 0)
        var written = 0
        var position = start
        while written < n {
            let run = Swift.min(n - written, count - position)
            copy(from: position, count: run, into: destination + written)
            written += run
            position = 0
        }
    }

    /// The sub-stream `range` (positions within this stream), sharing storage.
    /// - Throws: ``TokenStreamError/rangeOutOfBounds(lower:upper:count:)``.
    public func slice(_ range: Range<Int>) throws -> TokenStream {
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw TokenStreamError.rangeOutOfBounds(lower: range.lowerBound, upper: range.upperBound, count: count)
        }
        return TokenStream(storage: storage,
                           bounds: (bounds.lowerBound + range.lowerBound)..<(bounds.lowerBound + range.upperBound),
                           vocabularySize: vocabularySize)
    }

    /// The first `maxTokens` tokens (d2l's `corpus[:max_tokens]` when `max_tokens > 0`);
    /// zero or negative, or a limit above ``count``, returns the whole stream. Shares storage.
    public func prefix(maxTokens: Int) -> TokenStream {
        guard maxTokens > 0, maxTokens < count else { return self }
        return TokenStream(storage: storage, bounds: bounds.lowerBound..<(bounds.lowerBound + maxTokens),
                           vocabularySize: vocabularySize)
    }

    /// The three parts of a ``TokenStream/split(validation:test:)``, in stream order.
    public struct Split: Sendable, Equatable {
        /// The leading part: everything not given to validation or test.
        public var train: TokenStream
        /// The part after `train`: `⌊count × validation⌋` tokens.
        public var validation: TokenStream
        /// The last `⌊count × test⌋` tokens of the stream.
        public var test: TokenStream
    }

    /// Splits the stream by fractions taken at its end: the last `⌊count × test⌋` tokens are
    /// the test part, the `⌊count × validation⌋` before them the validation part, and the
    /// rest (at the start) the training part. The parts are contiguous, disjoint and share storage.
    /// - Throws: ``TokenStreamError/invalidSplit(validation:test:)`` unless both fractions are
    ///   in [0, 1] and sum to at most 1.
    public func split(validation: Double, test: Double) throws -> Split {
        guard validation.isFinite, test.isFinite, validation >= 0, test >= 0, validation + test <= 1 else {
            throw TokenStreamError.invalidSplit(validation: validation, test: test)
        }
        let n = count
        let testCount = Swift.min(n, Int((Double(n) * test).rounded(.down)))
        let validationCount = Swift.min(n - testCount, Int((Double(n) * validation).rounded(.down)))
        let trainEnd = n - testCount - validationCount
        return Split(train: try slice(0..<trainEnd),
                     validation: try slice(trainEnd..<(n - testCount)),
                     test: try slice((n - testCount)..<n))
    }

    /// Streams are equal when they have the same vocabulary size and the same ids, whatever
    /// their storage.
    public static func == (a: TokenStream, b: TokenStream) -> Bool {
        guard a.vocabularySize == b.vocabularySize, a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] { return false }
        return true
    }

    /// Appends ids one at a time (for streaming a file through a tokenizer) into storage of the
    /// width fixed by the vocabulary size, then yields the ``TokenStream``.
    public struct Builder: Sendable {
        /// The vocabulary size every appended id is checked against.
        public let vocabularySize: Int
        /// The storage width fixed by ``vocabularySize``.
        public let width: TokenWidth
        // Exactly one of these grows, selected by `width`.
        private var ids8: [UInt8] = []
        private var ids16: [UInt16] = []
        private var ids32: [UInt32] = []

        /// Starts an empty builder.
        /// - Throws: ``TokenStreamError/invalidVocabularySize(_:)`` unless
        ///   `1 <= vocabularySize <= TokenStream.maxVocabularySize`.
        public init(vocabularySize: Int) throws {
            guard vocabularySize >= 1, vocabularySize <= TokenStream.maxVocabularySize else {
                throw TokenStreamError.invalidVocabularySize(vocabularySize)
            }
            self.vocabularySize = vocabularySize
            self.width = TokenWidth.fitting(vocabularySize: vocabularySize)
        }

        /// Number of ids appended so far.
        public var count: Int {
            switch width {
            case .uint8: return ids8.count
            case .uint16: return ids16.count
            case .uint32: return ids32.count
            }
        }

        /// Reserves room for `n` ids in total.
        public mutating func reserveCapacity(_ n: Int) {
            switch width {
            case .uint8: ids8.reserveCapacity(n)
            case .uint16: ids16.reserveCapacity(n)
            case .uint32: ids32.reserveCapacity(n)
            }
        }

        /// Appends one id.
        /// - Throws: ``TokenStreamError/idOutOfRange(id:position:vocabularySize:)`` when the id
        ///   is negative or not below ``vocabularySize``.
        @inlinable
        public mutating func append<I: BinaryInteger>(_ id: I) throws {
            guard id >= 0, id < vocabularySize else {
                throw TokenStreamError.idOutOfRange(id: Int(truncatingIfNeeded: id), position: count,
                                                    vocabularySize: vocabularySize)
            }
            appendUnchecked(UInt32(truncatingIfNeeded: id))
        }

        @usableFromInline
        mutating func appendUnchecked(_ id: UInt32) {
            switch width {
            case .uint8: ids8.append(UInt8(truncatingIfNeeded: id))
            case .uint16: ids16.append(UInt16(truncatingIfNeeded: id))
            case .uint32: ids32.append(id)
            }
        }

        /// Appends every id of a sequence (see ``append(_:)``).
        public mutating func append<S: Sequence>(contentsOf ids: S) throws where S.Element: BinaryInteger {
            for id in ids { try append(id) }
        }

        /// The finished stream (the builder can keep appending; later ids do not affect it).
        ///
        /// Appending grows the storage geometrically, so it may hold up to twice the ids it
        /// needs; when the spare room exceeds an eighth of the ids, the stream gets an exact-size
        /// copy instead, so its storage stays within `count × bytesPerToken × 9/8` bytes (and the
        /// builder's larger buffer is freed with the builder).
        public func finish() -> TokenStream {
            let storage: Storage
            switch width {
            case .uint8: storage = .uint8(Self.trimmed(ids8))
            case .uint16: storage = .uint16(Self.trimmed(ids16))
            case .uint32: storage = .uint32(Self.trimmed(ids32))
            }
            return TokenStream(storage: storage, bounds: 0..<count, vocabularySize: vocabularySize)
        }

        /// `ids` itself, or an exact-capacity copy when more than an eighth of its capacity is spare.
        private static func trimmed<T: FixedWidthInteger>(_ ids: [T]) -> [T] {
            guard ids.capacity - ids.count > ids.count / 8 else { return ids }
            return [T](unsafeUninitializedCapacity: ids.count) { buffer, initialized in
                ids.withUnsafeBufferPointer { source in
                    if let base = buffer.baseAddress, let from = source.baseAddress {
                        base.initialize(from: from, count: source.count)
                    }
                }
                initialized = ids.count
            }
        }
    }
}
