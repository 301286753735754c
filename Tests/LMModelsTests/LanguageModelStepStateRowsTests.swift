@testable import LMModels
import LMSettings
import LMTensor
import Testing

@Suite struct LanguageModelStepStateRowsTests {
    /// Every layer's carried rows, copied out.
    static func carried(_ state: LanguageModelStepState) -> [[Float]] {
        state.layers.flatMap { layer in layer.carried.map { Array($0.buffer) } }
    }

    /// `rows` (batch × width) with row b taken from row sources[b]: the gather written out.
    static func gathered(_ rows: [Float], sources: [Int32], width: Int) -> [Float] {
        sources.flatMap { rows[Int($0) * width ..< (Int($0) + 1) * width] }
    }

    /// gatherRows equals a copy of the old rows gathered, for identities, permutations (with
    /// cycles of every length), duplicates and rows nobody reads; for every cell kind and
    /// stacked layers. The next step then runs from the gathered rows.
    @Test(arguments: [(ModelConfig.Kind.rnn, nil, 1), (.gru, nil, 1), (.lstm, 5, 2), (.rnn, 4, 3)] as [(ModelConfig.Kind, Int?, Int)])
    func gatherEqualsACopyOfTheOldRows(kind: ModelConfig.Kind, embedding: Int?, layers: Int) throws {
        var rng = SplitMix64(seed: 21)
        let config = ModelConfig(kind: kind, vocabularySize: 9, embeddingSize: embedding, hiddenSize: 6, layers: layers,
                                 initialization: .normal(scale: 0.5))
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let batch = 7
        let fixed: [[Int32]] = [[0, 1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 0], [1, 0, 3, 2, 5, 4, 6], [6, 5, 4, 3, 2, 1, 0],
                                [0, 0, 0, 0, 0, 0, 0], [3, 3, 1, 1, 6, 6, 2], [1, 2, 0, 4, 5, 3, 3]]
        let random = (0..<40).map { _ in (0..<batch).map { _ in Int32.random(in: 0..<Int32(batch), using: &rng) } }
        let permutations = (0..<20).map { _ in (0..<Int32(batch)).shuffled(using: &rng) }
        let state = model.makeStepState(batch: batch)
        let twin = model.makeStepState(batch: batch)
        for sources in fixed + random + permutations {
            let ids = randomTokens(batch, vocabulary: 9, &rng)
            ids.withUnsafeBufferPointer { model.step($0.baseAddress!, state: state, schedule: .init()) }
            let before = Self.carried(state)
            sources.withUnsafeBufferPointer { state.gatherRows($0) }
            let after = Self.carried(state)
            for (old, new) in zip(before, after) {
                #expect(new == Self.gathered(old, sources: sources, width: config.hiddenSize), "\(kind) sources \(sources)")
            }
            // A state holding the gathered rows steps exactly as the gathered state does.
            for (layer, twinLayer) in zip(state.layers, twin.layers) {
                for (a, b) in zip(layer.carried, twinLayer.carried) { b.pointer.update(from: a.pointer, count: a.count) }
            }
            let next = randomTokens(batch, vocabulary: 9, &rng)
            next.withUnsafeBufferPointer {
                model.step($0.baseAddress!, state: state, schedule: .init())
                model.step($0.baseAddress!, state: twin, schedule: .init())
            }
            #expect(Array(UnsafeBufferPointer(start: state.logits, count: batch * 9))
                    == Array(UnsafeBufferPointer(start: twin.logits, count: batch * 9)))
        }
    }

    /// One row, the RNN's overlapped step: the identity moves nothing and keeps the held product.
    @Test func oneRowIsLeftAsItIs() throws {
        var rng = SplitMix64(seed: 22)
        let model = try RecurrentLM<Float>(config: ModelConfig(kind: .rnn, vocabularySize: 9, hiddenSize: 6), using: &rng)
        let state = model.makeStepState(batch: 1)
        [Int32(3)].withUnsafeBufferPointer { model.step($0.baseAddress!, state: state, schedule: .init()) }
        let before = Self.carried(state)
        [Int32(0)].withUnsafeBufferPointer { state.gatherRows($0) }
        #expect(Self.carried(state) == before)
        #expect(state.layers[0].holdsNextProduct)
    }
}
