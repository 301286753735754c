import LMGeneration
import LMModels
import LMSettings
import Testing

/// Many sequences stepped together, joining and leaving between steps
/// (``GenerationState/rows``, ``GenerationState/zeroRow(_:)``, ``GenerationState/copyRow(_:to:)``):
/// every row's logits are bit for bit those of its sequence stepped alone at batch 1, for every
/// cell kind, one-hot and embedded input, tied and untied heads, one and two layers.
@Suite struct GenerationStateBatchTests {
    struct Case: CustomStringConvertible, Sendable {
        var kind: ModelConfig.Kind
        var activation = ModelConfig.Activation.tanh
        var pytorchGRU = false
        var input: Input
        var layers: Int
        var hidden = 45
        var parallel: Bool? = false
        enum Input: Sendable { case oneHot, embedding, tied }
        var description: String {
            "\(kind)\(kind == .rnn ? "-\(activation)" : "")\(pytorchGRU ? "-pytorch" : "") \(input) \(layers) layer(s) H \(hidden)"
        }
    }

    static let cases: [Case] = {
        var all: [Case] = []
        let cells: [(ModelConfig.Kind, ModelConfig.Activation, Bool)] = [
            (.rnn, .tanh, false), (.rnn, .relu, false), (.gru, .tanh, false), (.gru, .tanh, true), (.lstm, .tanh, false),
        ]
        for (kind, activation, pytorch) in cells {
            for input in [Case.Input.oneHot, .embedding, .tied] {
                for layers in [1, 2] {
                    all.append(Case(kind: kind, activation: activation, pytorchGRU: pytorch, input: input, layers: layers))
                }
            }
        }
        // Products large enough to split across the worker pool, and a wide head.
        all.append(Case(kind: .lstm, input: .tied, layers: 2, hidden: 130, parallel: true))
        all.append(Case(kind: .rnn, input: .oneHot, layers: 1, hidden: 300, parallel: true))
        return all
    }()

    static func makeModel(_ c: Case, seed: UInt64) throws -> RecurrentLM<Float> {
        var rng = SplitMix64(seed: seed)
        let vocabulary = c.input == .tied ? 150 : 37
        var config = ModelConfig(kind: c.kind, activation: c.activation, vocabularySize: vocabulary,
                                 embeddingSize: c.input == .oneHot ? nil : c.hidden, hiddenSize: c.hidden, layers: c.layers,
                                 initialization: .normal(scale: c.activation == .relu ? 0.1 : 0.3))
        config.tied = c.input == .tied
        config.recurrentBias = c.input != .oneHot
        if c.pytorchGRU { config.gruVariant = .pytorch }
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        for p in model.parameters where p.isVector {
            for i in 0..<p.count { p.value[i] = Float.random(in: -0.3...0.3, using: &rng) }
        }
        return model
    }

    @Test(arguments: cases)
    func rowsEqualTheirSequenceSteppedAlone(_ c: Case) throws {
        let model = try Self.makeModel(c, seed: 40)
        let v = model.config.vocabularySize
        var rng = SplitMix64(seed: 41)
        // Sequences: a token stream each and the step at which it asks to join.
        let count = 11
        let streams = (0..<count).map { _ in
            (0..<Int.random(in: 1...9, using: &rng)).map { _ in Int32.random(in: 0..<Int32(v), using: &rng) }
        }
        let arrivals = (0..<count).map { q in q < 2 ? 0 : Int.random(in: 0...14, using: &rng) }
        // Each sequence alone at batch 1: its logits after each of its tokens.
        let alone = try #require(GenerationState(model: model))
        alone.parallel = c.parallel
        let expected: [[[Float]]] = streams.map { stream in
            alone.reset(batch: 1)
            return stream.map { id in
                [id].withUnsafeBufferPointer { alone.step($0.baseAddress!) }
                return Array(UnsafeBufferPointer(start: alone.logits, count: v))
            }
        }

        let capacity = 5
        let batch = try #require(GenerationState(model: model))
        batch.parallel = c.parallel
        batch.reset(batch: capacity)
        batch.rows = 0
        var slots: [Int] = []          // the sequence in each active row
        var consumed = [Int](repeating: 0, count: count)
        var waiting = Array(0..<count).sorted { arrivals[$0] < arrivals[$1] }
        var rowCounts: Set<Int> = []
        var t = 0
        while !waiting.isEmpty || !slots.isEmpty {
            // Finished sequences leave: the last active row moves into the hole.
            for s in stride(from: slots.count - 1, through: 0, by: -1) where consumed[slots[s]] == streams[slots[s]].count {
                let last = slots.count - 1
                if s != last {
                    batch.copyRow(last, to: s)
                    slots[s] = slots[last]
                }
                slots.removeLast()
                batch.rows = slots.count
            }
            // Arrivals join in a zeroed row.
            while slots.count < capacity, let q = waiting.first, arrivals[q] <= t {
                waiting.removeFirst()
                slots.append(q)
                batch.rows = slots.count
                batch.zeroRow(slots.count - 1)
            }
            t += 1
            guard !slots.isEmpty else { continue }
            rowCounts.insert(slots.count)
            let ids = slots.map { streams[$0][consumed[$0]] }
            ids.withUnsafeBufferPointer { batch.step($0.baseAddress!) }
            for (row, q) in slots.enumerated() {
                let got = Array(UnsafeBufferPointer(start: batch.logits + row * v, count: v))
                #expect(got.map(\.bitPattern) == expected[q][consumed[q]].map(\.bitPattern),
                        "\(c): sequence \(q) step \(consumed[q]) in row \(row) of \(slots.count) at t \(t)")
                consumed[q] += 1
            }
            // Between a step and its sampling, rows 0 and last swap through a free row (past
            // `rows`, which steps leave alone): state and logits move together.
            if slots.count > 1 && slots.count < capacity {
                let last = slots.count - 1, spare = capacity - 1
                let before = (0..<slots.count).map { Array(UnsafeBufferPointer(start: batch.logits + $0 * v, count: v)) }
                batch.copyRow(0, to: spare)
                batch.copyRow(last, to: 0)
                batch.copyRow(spare, to: last)
                slots.swapAt(0, last)
                #expect(Array(UnsafeBufferPointer(start: batch.logits, count: v)) == before[last])
                #expect(Array(UnsafeBufferPointer(start: batch.logits + last * v, count: v)) == before[0])
            }
        }
        #expect(consumed == streams.map(\.count))
        #expect(rowCounts.count >= 3, "\(c): the row count changed between steps \(rowCounts.sorted())")
    }
}
