@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// The initialization schemes per part: PyTorch's module defaults, the per-part overrides,
/// the LSTM forget-gate bias, and d2l's default with its draws in today's order.
@Suite struct InitializerTests {
    static func values(_ p: Parameter<Double>) -> [Double] { p.value.array }

    static func meanAndVariance(_ x: [Double]) -> (mean: Double, variance: Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        return (mean, x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count))
    }

    /// Every value within ±bound, and the extremes near it (the range is used, not a narrower one).
    static func expectUniform(_ x: [Double], bound: Double, _ what: String) {
        #expect(x.allSatisfy { abs($0) <= bound }, "\(what): a value beyond ±\(bound)")
        #expect(x.max()! > 0.8 * bound && x.min()! < -0.8 * bound, "\(what): range \(x.min()!)…\(x.max()!) for ±\(bound)")
        // U(±a) has mean 0 (standard error a/√(3n)) and variance a²/3 (relative standard
        // error √(4/5n)); five standard errors of tolerance.
        let (mean, variance) = meanAndVariance(x), n = Double(x.count)
        #expect(abs(mean) < 5 * bound / (3 * n).squareRoot(), "\(what): mean \(mean)")
        #expect(abs(variance / (bound * bound / 3) - 1) < 5 * (0.8 / n).squareRoot(),
                "\(what): variance \(variance), expected \(bound * bound / 3)")
    }

    @Test(arguments: CellRegistry.kinds)
    func pytorchDefaultsPerPart(kind: ModelConfig.Kind) throws {
        var config = ModelConfig(kind: kind, vocabularySize: 60, embeddingSize: 50, hiddenSize: 64, layers: 2, initialization: .pytorch)
        config.recurrentBias = true
        var rng = SplitMix64(seed: 3)
        let model = try RecurrentLM<Double>(config: config, using: &rng)
        let bound = 1 / 64.0.squareRoot()
        // nn.Embedding: N(0, 1).
        let e = Self.meanAndVariance(Self.values(model.inputLayer.embedding!))
        #expect(abs(e.mean) < 0.06 && abs(e.variance - 1) < 0.08, "embedding mean \(e.mean) variance \(e.variance)")
        // nn.RNN/GRU/LSTM: every weight and both biases U(±1/√H).
        for cell in model.cells {
            #expect(cell.parameters.count == 4)
            let allBiases = cell.parameters.filter(\.isVector).flatMap(Self.values)
            for p in cell.parameters where !p.isVector { Self.expectUniform(Self.values(p), bound: bound, p.name) }
            Self.expectUniform(allBiases, bound: bound, "\(kind) biases")
        }
        #expect(model.parameter(named: "\(kind.rawValue).1.b_hh") != nil)
        // nn.Linear(H, V): weight and bias U(±1/√H).
        Self.expectUniform(Self.values(model.outputLayer.weight), bound: bound, "output.W_hq")
        let b = Self.values(model.outputLayer.bias)
        #expect(b.allSatisfy { abs($0) <= bound } && b.contains { abs($0) > bound / 2 }, "output.b_q \(b)")
    }

    @Test func overridesAndForgetBias() throws {
        var config = ModelConfig(kind: .lstm, vocabularySize: 40, embeddingSize: 30, hiddenSize: 30, initialization: .pytorch)
        config.embeddingInitialization = .uniform(bound: 0.05)
        config.outputInitialization = .normal(scale: 0.5)
        config.recurrentBias = true
        config.forgetBias = 1
        var rng = SplitMix64(seed: 4)
        let model = try RecurrentLM<Double>(config: config, using: &rng)
        Self.expectUniform(Self.values(model.inputLayer.embedding!), bound: 0.05, "embedding")
        let w = Self.meanAndVariance(Self.values(model.outputLayer.weight))
        #expect(abs(w.variance - 0.25) < 0.03, "output weight variance \(w.variance)")
        #expect(Self.values(model.outputLayer.bias).allSatisfy { $0 == 0 }, "normal leaves biases zero")
        let cell = try #require(model.cells[0] as? LSTMCell<Double>)
        let h = 30, bias = Self.values(cell.bias), second = Self.values(try #require(cell.recurrentBias))
        #expect(bias[h..<(2 * h)].allSatisfy { $0 == 1 } && second[h..<(2 * h)].allSatisfy { $0 == 0 })
        // The other gates keep PyTorch's draws.
        #expect(bias[0..<h].contains { $0 != 0 && abs($0) <= 1 / 30.0.squareRoot() })
        #expect(second[(2 * h)...].contains { $0 != 0 })
    }

    @Test func tiedHeadHasOnlyItsBiasToInitialise() throws {
        var config = ModelConfig(kind: .gru, vocabularySize: 50, embeddingSize: 16, hiddenSize: 16, initialization: .pytorch)
        config.tied = true
        var rng = SplitMix64(seed: 5)
        let model = try RecurrentLM<Double>(config: config, using: &rng)
        #expect(model.outputLayer.parameters.map(\.name) == ["output.b_q"])
        #expect(model.outputLayer.weight === model.inputLayer.embedding)
        let b = Self.values(model.outputLayer.bias)
        #expect(b.allSatisfy { abs($0) <= 0.25 } && b.contains { abs($0) > 0.1 }, "head bias U(±1/√16)")
        #expect(model.parameterCount == 50 * 16 + (16 * 48 + 16 * 48 + 48) + 50)
    }

    /// d2l's default still draws N(0, 0.01²) by Box–Muller for every weight in parameter
    /// order, with biases zero and no draw for them: the same stream as before per-part schemes.
    @Test(arguments: [nil, 7] as [Int?])
    func defaultInitializationDrawsInTheSameOrder(embedding: Int?) throws {
        let config = ModelConfig(kind: .lstm, vocabularySize: 9, embeddingSize: embedding, hiddenSize: 5, layers: 2)
        var rng = SplitMix64(seed: 11), replay = SplitMix64(seed: 11)
        let model = try RecurrentLM<Double>(config: config, using: &rng)
        for p in model.parameters {
            if p.isVector { #expect(Self.values(p).allSatisfy { $0 == 0 }); continue }
            var expected: [Double] = []
            while expected.count < p.count {
                let u1 = Double.random(in: Double.ulpOfOne..<1, using: &replay)
                let u2 = Double.random(in: 0..<1, using: &replay)
                let r = (-2 * Double.log(u1)).squareRoot()
                expected.append(r * Double.cos(2 * .pi * u2) * 0.01)
                expected.append(r * Double.sin(2 * .pi * u2) * 0.01)
            }
            #expect(Self.values(p) == Array(expected.prefix(p.count)), "\(p.name)")
        }
    }
}
