import Foundation
import LMData
@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// Dropout masks: their definition (a plain reference of ``DropoutHash``), statistics,
/// locking, reproducibility from the key, the batch split by `streamOffset`, the settings'
/// JSON and validation, and that nothing is dropped without a key (evaluation).
@Suite struct DropoutTests {
    /// The documented mask, written out plainly: element j of row (place, layer, stream, step).
    static func referenceScale(_ key: DropoutKey, place: DropoutHash.Place, layer: Int, stream: Int, step: Int,
                               element j: Int, p: Double) -> Double {
        func fmix(_ x: UInt64) -> UInt64 {
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
        func c(_ h: UInt64, _ v: UInt64) -> UInt64 { fmix(h ^ (v &+ gamma)) }
        let base = c(c(c(c(c(key.seed, key.window), place.rawValue), UInt64(layer)), UInt64(stream)), UInt64(step))
        let z = fmix(base &+ UInt64(j / 4 + 1) &* gamma)
        let bits = (z >> UInt64(16 * (j % 4))) & 0xFFFF
        return bits >= UInt64(p * 65_536) ? 1 / (1 - p) : 0
    }

    static func drawn(_ key: DropoutKey, p: Double, locked: Bool, steps: Int, batch: Int, width: Int,
                      place: DropoutHash.Place = .hidden, layer: Int = 0) -> [Double] {
        let m = DropoutMask<Double>(place: place, layer: layer)
        m.draw(key, p: p, locked: locked, steps: steps, batch: batch, width: width)
        return m.mask.array
    }

    @Test(arguments: [false, true])
    func masksFollowTheReferenceDefinition(locked: Bool) {
        WorkerPool.shared.elementThreshold = 0
        let key = DropoutKey(seed: 11, window: 5, streamOffset: 3), steps = 3, batch = 4, width = 7, p = 0.3
        let mask = Self.drawn(key, p: p, locked: locked, steps: steps, batch: batch, width: width, place: .output, layer: 1)
        #expect(mask.count == (locked ? 1 : steps) * batch * width)
        for r in 0..<(locked ? 1 : steps) * batch {
            for j in 0..<width {
                let expected = Self.referenceScale(key, place: .output, layer: 1, stream: 3 + r % batch,
                                                   step: locked ? 0 : r / batch, element: j, p: p)
                #expect(mask[r * width + j] == expected, "row \(r) element \(j)")
            }
        }
    }

    @Test func weightAndEmbeddingMasksFollowTheReferenceDefinition() throws {
        let key = DropoutKey(seed: 2, window: 9), p = 0.4
        let w = Parameter<Double>(name: "w", rows: 3, cols: 8)
        for i in 0..<w.count { w.value[i] = Double(i + 1) }
        let drop = WeightDropMask<Double>(layer: 1, rows: 3, cols: 8)
        drop.draw(key, p: p, weight: w)
        for i in 0..<3 {
            for j in 0..<8 {
                let s = Self.referenceScale(key, place: .weight, layer: 1, stream: i, step: 0, element: j, p: p)
                #expect(drop.mask[i * 8 + j] == s)
                #expect(drop.dropped[i * 8 + j] == w.value[i * 8 + j] * s)
            }
        }
        let input = InputLayer<Double>(vocabularySize: 6, embeddingSize: 2)
        for i in 0..<12 { input.embedding!.value[i] = Double(i + 1) }
        input.setRowDropout(probability: p, key: key)
        let ids: [Int32] = [0, 1, 2, 3, 4, 5]
        input.load(ids, steps: 3, batch: 2)
        for v in 0..<6 {
            let s = Self.referenceScale(key, place: .embedding, layer: 0, stream: 0, step: 0, element: v, p: p)
            #expect(input.embedded[2 * v] == Double(2 * v + 1) * s && input.embedded[2 * v + 1] == Double(2 * v + 2) * s)
        }
        input.setRowDropout(probability: p, key: nil)
        input.load(ids, steps: 3, batch: 2)
        #expect((0..<12).allSatisfy { input.embedded[$0] == Double($0 + 1) })
    }

    /// The kept fraction is within 5σ of 1 − p, and the mean scale within 5σ of 1 (inverted
    /// dropout preserves the mean).
    @Test(arguments: [0.1, 0.5, 0.9])
    func keepFractionAndMean(p: Double) {
        let mask = Self.drawn(DropoutKey(seed: 1, window: 0), p: p, locked: false, steps: 35, batch: 32, width: 101)
        let n = Double(mask.count)
        let kept = Double(mask.filter { $0 != 0 }.count) / n
        #expect(abs(kept - (1 - p)) < 5 * (p * (1 - p) / n).squareRoot(), "kept \(kept) for p \(p)")
        let mean = mask.reduce(0, +) / n
        #expect(abs(mean - 1) < 5 * (p / (1 - p) / n).squareRoot(), "mean \(mean) for p \(p)")
        #expect(Set(mask) == [0, 1 / (1 - p)])
    }

    /// A locked mask is the same at every step of the window; a fresh one is not.
    @Test func lockedMasksAreConstantOverSteps() {
        let steps = 5, batch = 3, width = 16
        for locked in [true, false] {
            let m = DropoutMask<Double>(place: .input, layer: 0)
            m.draw(DropoutKey(seed: 4, window: 1), p: 0.5, locked: locked, steps: steps, batch: batch, width: width)
            let ones = [Double](repeating: 1, count: steps * batch * width)
            let y = ones.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: m.apply($0.baseAddress!), count: ones.count)) }
            let first = Array(y[0..<batch * width])
            let same = (1..<steps).allSatisfy { Array(y[$0 * batch * width..<($0 + 1) * batch * width]) == first }
            #expect(same == locked)
        }
    }

    /// The same key draws the same masks; another window or seed draws others.
    @Test func masksAreAPureFunctionOfTheKey() {
        func draw(_ key: DropoutKey) -> [Double] { Self.drawn(key, p: 0.5, locked: false, steps: 4, batch: 3, width: 20) }
        let a = DropoutKey(seed: 7, window: 12)
        #expect(draw(a) == draw(a))
        #expect(draw(a) != draw(DropoutKey(seed: 7, window: 13)))
        #expect(draw(a) != draw(DropoutKey(seed: 8, window: 12)))
    }

    /// Sequences [2, 4) of a batch of 4 get the masks a process owning only them (offset 2) draws.
    @Test(arguments: [false, true])
    func streamOffsetSplitEqualsTheFullBatch(locked: Bool) {
        let steps = 3, width = 9
        let full = Self.drawn(DropoutKey(seed: 3, window: 2), p: 0.5, locked: locked, steps: steps, batch: 4, width: width)
        let part = Self.drawn(DropoutKey(seed: 3, window: 2, streamOffset: 2), p: 0.5, locked: locked, steps: steps, batch: 2, width: width)
        for t in 0..<(locked ? 1 : steps) {
            for b in 0..<2 {
                #expect(Array(full[(t * 4 + 2 + b) * width..<(t * 4 + 3 + b) * width]) == Array(part[(t * 2 + b) * width..<(t * 2 + b + 1) * width]))
            }
        }
    }

    /// The whole model: a 2-layer LSTM with every kind of dropout gives sequences 2 and 3 of a
    /// batch of 4 the logits a copy fed only those two sequences with `streamOffset` 2 gives.
    @Test func modelSplitByStreamOffsetEqualsTheFullBatch() throws {
        WorkerPool.shared.elementThreshold = 0
        var config = ModelConfig(kind: .lstm, vocabularySize: 7, embeddingSize: 5, hiddenSize: 6, layers: 2, initialization: .uniform(bound: 0.5))
        config.dropout = Dropout(input: 0.3, hidden: 0.3, output: 0.3, embedding: 0.2, weightDrop: 0.3)
        var g1 = SplitMix64(seed: 5), g2 = SplitMix64(seed: 5), rng = SplitMix64(seed: 9)
        let full = try RecurrentLM<Double>(config: config, using: &g1), part = try RecurrentLM<Double>(config: config, using: &g2)
        let steps = 4, x = randomTokens(steps * 4, vocabulary: 7, &rng), y = randomTokens(steps * 4, vocabulary: 7, &rng)
        func pick(_ a: [Int32]) -> [Int32] {
            var out: [Int32] = []
            for t in 0..<steps { out.append(a[t * 4 + 2]); out.append(a[t * 4 + 3]) }
            return out
        }
        try full.forward(inputs: x, targets: y, steps: steps, batch: 4, dropout: DropoutKey(seed: 1, window: 4))
        try part.forward(inputs: pick(x), targets: pick(y), steps: steps, batch: 2, dropout: DropoutKey(seed: 1, window: 4, streamOffset: 2))
        let a = full.logits, b = part.logits
        var worst = 0.0
        for t in 0..<steps {
            for s in 0..<2 {
                for v in 0..<7 { worst = max(worst, abs(a[t * 4 + 2 + s, v] - b[t * 2 + s, v])) }
            }
        }
        #expect(worst < 1e-12)
    }

    /// Without a key nothing is dropped: the loss equals that of the same weights without
    /// dropout settings; with a key it differs.
    @Test(arguments: CellRegistry.kinds)
    func onlyAKeyedForwardDrops(kind: ModelConfig.Kind) throws {
        var plain = ModelConfig(kind: kind, vocabularySize: 6, embeddingSize: 4, hiddenSize: 5, layers: 2, initialization: .uniform(bound: 0.5))
        var dropped = plain
        dropped.dropout = Dropout(input: 0.5, hidden: 0.5, output: 0.5, embedding: 0.5, weightDrop: 0.5)
        plain.dropout = .off
        var g1 = SplitMix64(seed: 1), g2 = SplitMix64(seed: 1), rng = SplitMix64(seed: 2)
        let a = try RecurrentLM<Double>(config: plain, using: &g1), b = try RecurrentLM<Double>(config: dropped, using: &g2)
        let x = randomTokens(12, vocabulary: 6, &rng), y = randomTokens(12, vocabulary: 6, &rng)
        let key = DropoutKey(seed: 3, window: 0)
        let reference = try a.forward(inputs: x, targets: y, steps: 4, batch: 3)
        b.resetState()
        let keyed = try b.forward(inputs: x, targets: y, steps: 4, batch: 3, dropout: key)
        b.resetState()
        #expect(try b.forward(inputs: x, targets: y, steps: 4, batch: 3) == reference)
        #expect(keyed != reference)
        // A model without dropout settings ignores a key.
        a.resetState()
        #expect(try a.forward(inputs: x, targets: y, steps: 4, batch: 3, dropout: key) == reference)
    }

    /// Evaluation never drops: the perplexity is the same with and without dropout settings.
    @Test func evaluatorIgnoresDropoutSettings() throws {
        var plain = ModelConfig(kind: .gru, vocabularySize: 8, embeddingSize: 4, hiddenSize: 6, layers: 2, initialization: .uniform(bound: 0.5))
        var dropped = plain
        dropped.dropout = Dropout(input: 0.5, hidden: 0.5, output: 0.5, locked: true, embedding: 0.5, weightDrop: 0.5)
        plain.dropout = .off
        var g1 = RandomGenerator(seed: 1), g2 = RandomGenerator(seed: 1), rng = SplitMix64(seed: 4)
        let a = try RecurrentLM<Float>(config: plain, using: &g1), b = try RecurrentLM<Float>(config: dropped, using: &g2)
        // A training window first leaves masks and W̃_hh behind; evaluation must not read them.
        let x = randomTokens(12, vocabulary: 8, &rng)
        try b.forward(inputs: x, targets: x, steps: 4, batch: 3, dropout: DropoutKey(seed: 1, window: 0))
        let stream = try TokenStream(ids: randomTokens(400, vocabulary: 8, &rng), vocabularySize: 8)
        let pa = try Evaluator.evaluate(a, on: stream, batch: 4, steps: 7).perplexity
        let pb = try Evaluator.evaluate(b, on: stream, batch: 4, steps: 7).perplexity
        #expect(pa == pb)
    }

    /// Under weight drop the W_hh gradient still accumulates: two backward passes without
    /// zeroing give exactly twice one.
    @Test func weightDropGradientsAccumulate() throws {
        var config = ModelConfig(kind: .lstm, vocabularySize: 5, hiddenSize: 4, initialization: .uniform(bound: 0.5))
        config.dropout = Dropout(weightDrop: 0.5)
        var g = SplitMix64(seed: 3), rng = SplitMix64(seed: 6)
        let m = try RecurrentLM<Double>(config: config, using: &g)
        let x = randomTokens(6, vocabulary: 5, &rng), key = DropoutKey(seed: 2, window: 1)
        try m.forward(inputs: x, targets: x, steps: 3, batch: 2, dropout: key)
        try m.backward()
        let once = m.parameter(named: "lstm.0.W_hh")!.gradient.array
        m.resetState()
        try m.forward(inputs: x, targets: x, steps: 3, batch: 2, dropout: key)
        try m.backward()
        #expect(m.parameter(named: "lstm.0.W_hh")!.gradient.array == once.map { 2 * $0 })
        #expect(once.contains(0) && once.contains { $0 != 0 })
    }

    /// ``MemoryEstimate`` counts the dropout buffers a training window allocates.
    @Test(arguments: [false, true])
    func memoryEstimateCountsTheMasks(locked: Bool) throws {
        WorkerPool.shared.elementThreshold = 0
        var config = ModelConfig(kind: .gru, vocabularySize: 11, embeddingSize: 5, hiddenSize: 7, layers: 3)
        config.dropout = Dropout(input: 0.2, hidden: 0.2, output: 0.2, locked: locked, embedding: 0.2, weightDrop: 0.2)
        var rng = SplitMix64(seed: 1)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let steps = 3, batch = 2, ids = randomTokens(steps * batch, vocabulary: 11, &rng)
        _ = try model.forward(inputs: ids, targets: ids, steps: steps, batch: batch, dropout: DropoutKey(seed: 1, window: 0))
        try model.backward()
        let plain = try MemoryEstimate(config: { var c = config; c.dropout = .off; return c }(), steps: steps, batch: batch)
        var values = ([model.inputMask, model.outputMask] + model.hiddenMasks).reduce(0) { $0 + $1.mask.count + $1.values.count }
        values += model.weightMasks.reduce(0) { $0 + $1.mask.count + $1.dropped.count + $1.savedGradient.count }
        values += model.inputLayer.rowScales?.count ?? 0
        #expect(try MemoryEstimate(config: config, steps: steps, batch: batch).total == plain.total + values * 4)
    }

    @Test func settingsDecodeFromOldAndPartialJSON() throws {
        let old = #"{"kind":"rnn","vocabularySize":28,"hiddenSize":512}"#
        #expect(try JSONDecoder().decode(ModelConfig.self, from: Data(old.utf8)).dropout == .off)
        let partial = #"{"kind":"lstm","vocabularySize":28,"hiddenSize":8,"embeddingSize":4,"dropout":{"hidden":0.5,"locked":true}}"#
        let c = try JSONDecoder().decode(ModelConfig.self, from: Data(partial.utf8))
        #expect(c.dropout == Dropout(hidden: 0.5, locked: true))
        let all = Dropout(input: 0.1, hidden: 0.2, output: 0.3, locked: true, embedding: 0.4, weightDrop: 0.5)
        #expect(try JSONDecoder().decode(Dropout.self, from: JSONEncoder().encode(all)) == all)
        #expect(Dropout.off.isOff && Dropout(locked: true).isOff && !Dropout(weightDrop: 0.1).isOff)
    }

    @Test func invalidSettingsAreRefused() {
        func config(_ d: Dropout, embedding: Int? = 4) -> ModelConfig {
            var c = ModelConfig(kind: .rnn, vocabularySize: 5, embeddingSize: embedding, hiddenSize: 4)
            c.dropout = d
            return c
        }
        #expect(throws: SettingsError(.outOfRange, "model.dropout.hidden", "\(setting: "model.dropout.hidden") 1.0: a dropout probability must be in [0, 1)")) {
            try config(Dropout(hidden: 1)).validate()
        }
        #expect(throws: SettingsError(.outOfRange, "model.dropout.weightDrop", "\(setting: "model.dropout.weightDrop") -0.1: a dropout probability must be in [0, 1)")) {
            try config(Dropout(weightDrop: -0.1)).validate()
        }
        #expect(throws: SettingsError(.requires, "model.dropout.input", "\(setting: "model.dropout.input") needs \(setting: "model.embeddingSize") (one-hot input has no embedding output to drop)")) {
            try config(Dropout(input: 0.2), embedding: nil).validate()
        }
        #expect(throws: SettingsError(.requires, "model.dropout.embedding", "\(setting: "model.dropout.embedding") needs \(setting: "model.embeddingSize") (one-hot input has no embedding rows to drop)")) {
            try config(Dropout(embedding: 0.2), embedding: nil).validate()
        }
        #expect(throws: Never.self) { try config(Dropout(hidden: 0.5, output: 0.5, weightDrop: 0.5), embedding: nil).validate() }
    }
}
