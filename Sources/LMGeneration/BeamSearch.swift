import LMText
import RealModule

/// Beam search: the K most likely continuations kept side by side, as K rows of one batched
/// state, extended one token at a time (``Generator/beamSearch(prefix:length:search:allowUnknown:)``).
///
/// - The prefix warm-up is ``Generator``'s: zero state, `prefix[0]` fed, the state advanced
///   over `prefix[1...]`; all K rows start equal, so the first step extends row 0 only.
/// - At each step every kept hypothesis is extended by every token: its score plus the token's
///   log-probability, log-softmax in `Double` over the masked logits (`<unk>` masked unless
///   `allowUnknown`, as ``Generator`` does). The K best (hypothesis, token) pairs are kept,
///   ranked by ``score(logProbability:length:)``; ties go to the lower hypothesis index, then
///   the lower token id, so the result is deterministic. The rows are then reordered
///   (``LanguageModelStepState/gatherRows(_:)``) so that row i holds the state of the
///   hypothesis kept in place i.
/// - A hypothesis's log-probability is the sum of its tokens' log-probabilities (nats).
///   Hypotheses are ranked by it divided by lengthᵅ (``lengthPenalty``, Hugging Face's
///   `length_penalty`, GNMT's normalization without its constant 5): α = 0 ranks by the
///   sequence's probability, α = 1 by the mean log-probability per token. Without an end
///   token every hypothesis has the same length at each step and α changes nothing; it matters
///   with ``stopAtEndOfSequence``, where a hypothesis that emits `<eos>` is finished: it stays
///   among the K with its score frozen (its length counts the `<eos>`), competing with the
///   longer ones still growing, and the search ends early once all K are finished. With α = 0
///   short hypotheses are favoured (every token lowers the sum); α > 0 offsets that.
/// - With K ≥ Aᴸ⁻¹ (A tokens allowed, L new tokens) nothing is ever pruned and the result is
///   the exhaustive argmax; K = 1 is greedy decoding.
///
/// Nothing is allocated per step: the hypotheses' scores and the candidate heap are allocated
/// once per search, and their back-pointers (K a step: the result) for up to 4096 steps, then
/// grown by doubling.
public struct BeamSearch: Equatable, Sendable {
    /// The largest beam width accepted.
    public static let maximumBeams = 64
    /// Steps whose back-pointers are allocated up front; a longer search grows them as it goes.
    private static let reservedSteps = 4096

    /// Hypotheses kept, K in 1 ... ``maximumBeams``.
    public var beams: Int
    /// α ≥ 0: hypotheses are ranked by their log-probability / lengthᵅ (0: not normalized).
    public var lengthPenalty: Double
    /// Finish a hypothesis when it emits `<eos>` (the vocabulary must hold it).
    public var stopAtEndOfSequence: Bool

    public init(beams: Int, lengthPenalty: Double = 0, stopAtEndOfSequence: Bool = false) {
        self.beams = beams
        self.lengthPenalty = lengthPenalty
        self.stopAtEndOfSequence = stopAtEndOfSequence
    }

    /// What hypotheses are ranked by: `logProbability / length^α` (the log-probability itself
    /// for α = 0 or an empty hypothesis).
    @inline(__always)
    public func score(logProbability: Double, length: Int) -> Double {
        lengthPenalty == 0 || length == 0 ? logProbability : logProbability / Double.pow(Double(length), lengthPenalty)
    }

    /// Throws ``GenerationError/invalidSetting(_:)`` for a width or penalty out of range.
    func validate() throws {
        try require((1...Self.maximumBeams).contains(beams), "the number of beams must be in 1...\(Self.maximumBeams) (got \(beams))")
        try require(lengthPenalty >= 0 && lengthPenalty.isFinite, "the length penalty must be finite and ≥ 0 (got \(lengthPenalty))")
    }

    /// The search over `stepper`'s rows after `prefix` (valid ids, at least one), for at most
    /// `length` new tokens over `vocabularySize` ids; `endToken` finishes a hypothesis when set;
    /// `unknownID` (`<unk>`'s id) is never chosen unless `allowUnknown`.
    /// Returns the kept hypotheses, best first (fewer than K when fewer exist).
    func run<Stepper: BeamStepper>(_ stepper: inout Stepper, prefix: [Int32], length: Int, vocabularySize v: Int,
                                   allowUnknown: Bool, unknownID: Int = Vocabulary.unknownID,
                                   endToken: Int32?) throws -> [BeamHypothesis] {
        let k = beams
        try stepper.reset(batch: k)
        var inputs = [Int32](repeating: prefix[0], count: k)
        for t in prefix.indices.dropFirst() {
            try inputs.withUnsafeBufferPointer { try stepper.step($0) { _ in } }
            for b in 0..<k { inputs[b] = prefix[t] }
        }
        // Per step and kept place: the place it extends and the token it added (−1: a finished
        // hypothesis kept as it was), K a step, appended as the search goes (it may end early).
        var parents: [Int32] = [], tokens: [Int32] = []
        parents.reserveCapacity(k * min(length, Self.reservedSteps))
        tokens.reserveCapacity(k * min(length, Self.reservedSteps))
        var hypotheses = Places(k), next = Places(k)
        var sources = [Int32](repeating: 0, count: k)
        var heap = CandidateHeap(capacity: k)
        var live = 1, steps = 0
        let unknown = allowUnknown ? -1 : unknownID

        for step in 0..<length {
            if (0..<live).allSatisfy({ hypotheses.finished[$0] }) { break }
            heap.removeAll()
            var bad = false
            try inputs.withUnsafeBufferPointer { ids in
                try stepper.step(ids) { logits in
                    for b in 0..<live {
                        let total = hypotheses.logProbability[b]
                        if hypotheses.finished[b] {
                            heap.offer(Candidate(place: Int32(b), token: -1, logProbability: total,
                                                 score: score(logProbability: total, length: hypotheses.length[b])))
                            continue
                        }
                        let row = logits.baseAddress! + b * v
                        var m = -Float.infinity
                        for i in 0..<v {
                            if !row[i].isFinite { bad = true }
                            if i != unknown { m = max(m, row[i]) }
                        }
                        if bad { return }
                        let shift = Double(m)
                        var sum = 0.0
                        for i in 0..<v where i != unknown { sum += Double.exp(Double(row[i]) - shift) }
                        let logSum = Double.log(sum)
                        for i in 0..<v where i != unknown {
                            let extended = total + ((Double(row[i]) - shift) - logSum)
                            let s = score(logProbability: extended, length: step + 1)
                            if heap.isFull && s < heap.worstScore { continue }
                            heap.offer(Candidate(place: Int32(b), token: Int32(i), logProbability: extended, score: s))
                        }
                    }
                }
            }
            if bad { throw GenerationError.nonFiniteLogits(step: step) }
            live = heap.sortBestFirst()
            for i in 0..<live {
                let c = heap.items[i], from = Int(c.place)
                parents.append(c.place)
                tokens.append(c.token)
                sources[i] = c.place
                next.logProbability[i] = c.logProbability
                next.length[i] = c.token < 0 ? hypotheses.length[from] : step + 1
                next.finished[i] = c.token < 0 || c.token == endToken
                inputs[i] = c.token < 0 ? prefix[0] : c.token   // a finished row's input is never read
            }
            for i in live..<k {
                parents.append(0)
                tokens.append(-1)
                sources[i] = 0
                inputs[i] = prefix[0]
            }
            swap(&hypotheses, &next)
            steps = step + 1
            if step + 1 < length { try sources.withUnsafeBufferPointer { try stepper.gatherRows($0) } }
        }

        return (0..<live).map { i in
            var ids: [Int32] = []
            ids.reserveCapacity(steps)
            var place = i
            for step in stride(from: steps - 1, through: 0, by: -1) {
                let token = tokens[step * k + place]
                if token >= 0 { ids.append(token) }
                place = Int(parents[step * k + place])
            }
            ids.reverse()
            let total = hypotheses.logProbability[i]
            return BeamHypothesis(tokens: ids, logProbability: total, score: score(logProbability: total, length: hypotheses.length[i]),
                                  finished: hypotheses.finished[i])
        }
    }
}

/// What beam search needs of a model: K rows stepped together and reordered between steps.
protocol BeamStepper {
    /// Zero state for `batch` rows.
    mutating func reset(batch: Int) throws
    /// Feeds one token per row and hands `body` the logits, batch × vocabulary rows (valid during the call).
    mutating func step(_ ids: UnsafeBufferPointer<Int32>, reading body: (UnsafeBufferPointer<Float>) throws -> Void) throws
    /// Row b takes the state row `sources[b]` held.
    mutating func gatherRows(_ sources: UnsafeBufferPointer<Int32>) throws
}

/// The kept hypotheses' scores, lengths and whether they are finished, place by place.
private struct Places {
    var logProbability: [Double]
    var length: [Int]
    var finished: [Bool]

    init(_ k: Int) {
        logProbability = [Double](repeating: 0, count: k)
        length = [Int](repeating: 0, count: k)
        finished = [Bool](repeating: false, count: k)
    }
}

/// A kept hypothesis extended by one token (or kept as it is: token −1).
private struct Candidate {
    var place: Int32
    var token: Int32
    var logProbability: Double
    var score: Double

    /// Higher score first, then the lower place, then the lower token.
    @inline(__always)
    func ranks(before other: Candidate) -> Bool {
        score > other.score || (score == other.score && (place < other.place || (place == other.place && token < other.token)))
    }
}

/// The best K candidates of a step: a heap with the worst on top, in a buffer of K allocated once.
private struct CandidateHeap {
    private(set) var items: [Candidate]
    private(set) var count = 0

    init(capacity: Int) {
        items = [Candidate](repeating: Candidate(place: 0, token: 0, logProbability: 0, score: 0), count: capacity)
    }

    var isFull: Bool { count == items.count }
    /// The score of the worst candidate kept (meaningful when not empty).
    var worstScore: Double { items[0].score }

    mutating func removeAll() { count = 0 }

    /// Keeps `c` if fewer than K are kept or it ranks before the worst kept (which it replaces).
    @inline(__always)
    mutating func offer(_ c: Candidate) {
        if count < items.count {
            var i = count
            count += 1
            items[i] = c
            while i > 0 {
                let parent = (i - 1) / 2
                guard items[parent].ranks(before: items[i]) else { break }
                items.swapAt(parent, i)
                i = parent
            }
        } else if c.ranks(before: items[0]) {
            items[0] = c
            siftDown(from: 0, count: count)
        }
    }

    /// Orders the kept candidates best first in `items[0 ..< count]` (heap sort) and returns how many.
    mutating func sortBestFirst() -> Int {
        var n = count
        while n > 1 {
            n -= 1
            items.swapAt(0, n)
            siftDown(from: 0, count: n)
        }
        return count
    }

    private mutating func siftDown(from start: Int, count n: Int) {
        var i = start
        while true {
            let l = 2 * i + 1
            if l >= n { return }
            var worse = l
            if l + 1 < n && items[l].ranks(before: items[l + 1]) { worse = l + 1 }
            guard items[i].ranks(before: items[worse]) else { return }
            items.swapAt(i, worse)
            i = worse
        }
    }
}
