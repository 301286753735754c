import LMData
import LMModels
import LMTensor
import LMText
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Many continuations stepped together: each sequence is a row of one ``GenerationState``, and
/// sequences join and leave between steps, so a server runs one model step for all the
/// requests in flight instead of one per request.
///
/// A sequence added here gives exactly the text ``Generator/continue(_:length:sampling:seed:allowUnknown:onPiece:)``
/// gives for the same prefix, strategy and seed (`lm-generate --seed`): the same warm-up (its
/// row starts at the zero state and is fed the prefix one token per step, outputs ignored),
/// the same choice of each token (``TokenChoice``: `<unk>` masked unless allowed), its own
/// ``RandomGenerator`` seeded with its seed, and per-row products that do not depend on the
/// other rows, bit for bit (``GenerationState/rows``: the multi-row kernels sum every column in
/// the single-row order). Rows stay packed: when a sequence leaves, the last row moves into its
/// place, so a step runs exactly the sequences in flight.
///
/// Not thread-safe: one thread adds, removes and steps.
public final class GenerationBatch {
    /// Names a sequence while it is in the batch.
    public struct Ticket: Hashable, Sendable {
        let value: Int
    }

    /// What a step produced for one sequence.
    public enum Event {
        /// A new token of the sequence `ticket`.
        case token(Token)
        /// The model produced a NaN or infinite logit for the sequence; it has left the batch.
        case failed(Ticket, GenerationError)
    }

    /// One new token.
    public struct Token {
        public let ticket: Ticket
        /// The token's id.
        public let id: Int32
        /// Its text as it continues the sequence (a leading space before a word at word level).
        public let piece: String
        /// 0 for the first new token.
        public let index: Int
        /// Whether it is the sequence's last (the sequence has left the batch).
        public let isLast: Bool
        /// ln p(token) under the model's distribution (before masking or sampling), when asked.
        public let logProbability: Double?
        /// The most likely tokens and their ln p, best first, when asked for more than zero.
        public let alternatives: [(token: String, logProbability: Double)]
    }

    /// One sequence in the batch (a class, so its sampler and generator mutate in place).
    private final class Row {
        let ticket: Ticket
        let prefix: [Int32]
        let length: Int
        let alternatives: Int?
        var fed = 0, produced = 0
        var previous: Int32?
        var sampler: any LogitSampler
        var random: RandomGenerator
        var choice: TokenChoice

        init(ticket: Ticket, prefix: [Int32], length: Int, alternatives: Int?, sampler: any LogitSampler,
             seed: UInt64, choice: TokenChoice) {
            self.ticket = ticket
            self.prefix = prefix
            self.length = length
            self.alternatives = alternatives
            previous = prefix.last
            self.sampler = sampler
            random = RandomGenerator(seed: seed)
            self.choice = choice
        }

        /// The token this row reads at the next step.
        var input: Int32 { fed < prefix.count ? prefix[fed] : previous ?? 0 }
    }

    private let generator: Generator
    private let state: GenerationState
    private var rows: [Row] = []
    private var inputs: [Int32]
    private var nextTicket = 0
    /// Rows leaving after the current step (kept to avoid allocating per step).
    private var leaving: [Int] = []
    /// Each row's token of the current step (see ``drawTokens(vocabularySize:)``).
    private var drawn: [Int32]
    /// Rows stepped together at most.
    public let capacity: Int

    /// A batch of up to `capacity` sequences of `generator`'s model, or nil when the model has
    /// no single step (an adaptive softmax head: use ``Generator`` one request at a time).
    public init?(generator: Generator, capacity: Int) {
        precondition(capacity >= 1, "a batch holds at least one row")
        guard let state = GenerationState(model: generator.model) else { return nil }
        self.generator = generator
        self.state = state
        self.capacity = capacity
        inputs = [Int32](repeating: 0, count: capacity)
        drawn = inputs
        state.reset(batch: capacity)
    }

    /// Sequences in the batch.
    public var count: Int { rows.count }
    /// Whether another sequence fits.
    public var isFull: Bool { rows.count == capacity }
    /// Whether `ticket` is still in the batch.
    public func contains(_ ticket: Ticket) -> Bool { rows.contains { $0.ticket == ticket } }

    /// Adds a sequence continuing `prefix` by `length` ≥ 1 tokens with the strategy `sampling`
    /// resolves to and `seed`; `alternatives` asks each token's ln p and that many most likely
    /// tokens (nil: neither). It joins at the next step.
    /// - Throws: ``GenerationError/invalidSetting(_:)`` for invalid sampling options, a length
    ///   under 1 or a full batch.
    public func add(_ prefix: Generator.Prefix, length: Int, sampling: SamplingOptions, seed: UInt64,
                    allowUnknown: Bool = false, alternatives: Int? = nil) throws -> Ticket {
        try require(length >= 1, "the length must be ≥ 1 (got \(length))")
        try require(!isFull, "the batch is full (\(capacity) sequences)")
        try require(!prefix.ids.isEmpty, "the prefix is empty")
        let sampler = try sampling.sampler()
        let ticket = Ticket(value: nextTicket)
        nextTicket += 1
        state.zeroRow(rows.count)
        rows.append(Row(ticket: ticket, prefix: prefix.ids, length: length, alternatives: alternatives, sampler: sampler,
                        seed: seed, choice: TokenChoice(vocabularySize: generator.vocabulary.count, unknownID: generator.vocabulary.unknownID,
                                                         allowUnknown: allowUnknown)))
        return ticket
    }

    /// Takes `ticket`'s sequence out (a client that went away); nothing if it already left.
    public func remove(_ ticket: Ticket) {
        if let r = rows.firstIndex(where: { $0.ticket == ticket }) { removeRow(r) }
    }

    private func removeRow(_ r: Int) {
        let last = rows.count - 1
        if r != last {
            state.copyRow(last, to: r)
            rows[r] = rows[last]
        }
        rows.removeLast()
    }

    /// One step of every sequence: each reads its next prefix token or its last new one; those
    /// past their prefix draw a token, reported through `onEvent` in row order. Sequences that
    /// reach their length (or fail) leave the batch after the step.
    public func step(_ onEvent: (Event) throws -> Void) rethrows {
        guard !rows.isEmpty else { return }
        for (r, row) in rows.enumerated() { inputs[r] = row.input }
        state.rows = rows.count
        inputs.withUnsafeBufferPointer { state.step($0.baseAddress!) }
        let v = generator.vocabulary.count
        leaving.removeAll(keepingCapacity: true)
        drawTokens(vocabularySize: v)
        for (r, row) in rows.enumerated() {
            let token = drawn[r]
            guard token != Self.warmingUp else { continue }
            let logits = state.logits + r * v
            guard token != Self.nonFinite else {
                leaving.append(r)
                try onEvent(.failed(row.ticket, .nonFiniteLogits(step: row.produced)))
                continue
            }
            let piece = generator.detokenizer.piece(token, after: row.previous)
            row.previous = token
            row.produced += 1
            let isLast = row.produced == row.length
            if isLast { leaving.append(r) }
            var logProbability: Double? = nil
            var alternatives: [(token: String, logProbability: Double)] = []
            if let wanted = row.alternatives {
                let ranked = Self.logProbabilities(logits, count: v, best: wanted)
                logProbability = Double(logits[Int(token)]) - ranked.logSum
                alternatives = ranked.best.map { (generator.vocabulary.token(at: Int($0.id)), $0.logProbability) }
            }
            try onEvent(.token(Token(ticket: row.ticket, id: token, piece: piece, index: row.produced - 1, isLast: isLast,
                                     logProbability: logProbability, alternatives: alternatives)))
        }
        for r in leaving.reversed() { removeRow(r) }
    }

    /// `drawn[r]` for a row still reading its prefix, and for a row whose logits are not finite.
    private static let warmingUp: Int32 = -1, nonFinite: Int32 = -2

    /// Advances every row past the token it just read and draws the next token of each row
    /// past its prefix into `drawn` (or ``warmingUp``, ``nonFinite``). Rows are independent
    /// (each has its own sampler, generator and buffer), so a large batch draws on the worker
    /// pool, rows split by stride; which thread draws a row does not change its token.
    private func drawTokens(vocabularySize v: Int) {
        let count = rows.count, logits = state.logits
        let parts = count * v >= VectorMatrix.splitThreshold ? min(WorkerPool.shared.width, count) : 1
        drawn.withUnsafeMutableBufferPointer { out in
            func draw(_ r: Int) {
                let row = rows[r]
                if row.fed < row.prefix.count { row.fed += 1 }
                guard row.fed == row.prefix.count else { return out[r] = Self.warmingUp }
                out[r] = row.choice.choose(logits + r * v, sampler: &row.sampler, using: &row.random) ?? Self.nonFinite
            }
            if parts > 1 {
                WorkerPool.shared.run(parts: parts) { p in
                    for r in stride(from: p, to: count, by: parts) { draw(r) }
                }
            } else {
                for r in 0..<count { draw(r) }
            }
        }
    }

    /// ln Σ exp(logits) and the `best` most likely ids with their ln p (ties: lower id first).
    static func logProbabilities(_ z: UnsafePointer<Float>, count v: Int, best n: Int)
        -> (logSum: Double, best: [(id: Int32, logProbability: Double)]) {
        var top = -Double.infinity
        for i in 0..<v { top = max(top, Double(z[i])) }
        var sum = 0.0
        for i in 0..<v { sum += exp(Double(z[i]) - top) }
        let logSum = top + log(sum)
        var best: [(id: Int32, logProbability: Double)] = []
        guard n > 0 else { return (logSum, best) }
        for i in 0..<v {
            let value = Double(z[i]) - logSum
            guard best.count < n || value > best[best.count - 1].logProbability else { continue }
            var at = best.count
            while at > 0 && value > best[at - 1].logProbability { at -= 1 }
            best.insert((Int32(i), value), at: at)
            if best.count > n { best.removeLast() }
        }
        return (logSum, best)
    }
}
