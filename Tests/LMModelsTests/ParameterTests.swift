@testable import LMModels
import LMSettings
import LMTensor
import Testing

@Suite struct ParameterTests {
    @Test func namesShapesAndOrder() throws {
        var rng = SplitMix64(seed: 1)
        let m = try RecurrentLM<Float>(config: ModelConfig(kind: .gru, vocabularySize: 28, embeddingSize: 16, hiddenSize: 32, layers: 2), using: &rng)
        #expect(m.parameters.map(\.name) == ["embedding.W", "gru.0.W_xh", "gru.0.W_hh", "gru.0.b_h",
                                             "gru.1.W_xh", "gru.1.W_hh", "gru.1.b_h", "output.W_hq", "output.b_q"])
        #expect(m.parameter(named: "gru.0.W_xh")?.shape == [16, 96])
        #expect(m.parameter(named: "gru.1.W_xh")?.shape == [32, 96])
        #expect(m.parameter(named: "gru.1.b_h")?.shape == [96])
        #expect(m.parameter(named: "output.W_hq")?.shape == [32, 28])
        #expect(m.parameterCount == 28 * 16 + (16 * 96 + 32 * 96 + 96) + (32 * 96 + 32 * 96 + 96) + 32 * 28 + 28)
        #expect(Set(m.parameters.map(\.name)).count == m.parameters.count)
    }

    @Test func oneHotHasNoEmbedding() throws {
        var rng = SplitMix64(seed: 1)
        let m = try RecurrentLM<Float>(config: ModelConfig(kind: .rnn, vocabularySize: 28, hiddenSize: 8), using: &rng)
        #expect(m.parameters.map(\.name) == ["rnn.0.W_xh", "rnn.0.W_hh", "rnn.0.b_h", "output.W_hq", "output.b_q"])
        #expect(m.parameter(named: "rnn.0.W_xh")?.shape == [28, 8])
    }

    @Test func initializationSchemes() throws {
        var rng = SplitMix64(seed: 9)
        let d2l = try RecurrentLM<Double>(config: ModelConfig(kind: .lstm, vocabularySize: 50, hiddenSize: 64), using: &rng)
        let w = d2l.parameter(named: "lstm.0.W_hh")!.value.array
        let mean = w.reduce(0, +) / Double(w.count)
        let std = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(w.count)).squareRoot()
        #expect(abs(mean) < 0.001 && abs(std - 0.01) < 0.001)
        #expect(d2l.parameter(named: "lstm.0.b_h")!.value.array.allSatisfy { $0 == 0 })

        let xavier = try RecurrentLM<Double>(config: ModelConfig(kind: .gru, vocabularySize: 50, hiddenSize: 64, initialization: .xavierUniform), using: &rng)
        let bound = (6.0 / Double(64 + 64)).squareRoot()
        let xw = xavier.parameter(named: "gru.0.W_hh")!.value.array
        #expect(xw.allSatisfy { abs($0) <= bound } && xw.contains { abs($0) > 0.9 * bound })

        let uniform = try RecurrentLM<Double>(config: ModelConfig(kind: .rnn, vocabularySize: 50, hiddenSize: 64, initialization: .uniform(bound: 0.125)), using: &rng)
        let ub = uniform.parameter(named: "rnn.0.b_h")!.value.array
        #expect(ub.allSatisfy { abs($0) <= 0.125 } && ub.contains { $0 != 0 })
    }

    @Test func matrixViews() {
        let p = Parameter<Float>(name: "x", rows: 2, cols: 3)
        var m = p.valueMatrix
        m[1, 2] = 5
        p.valueMatrix = m
        #expect(p.value[5] == 5)
        p.gradient[0] = 1
        p.zeroGradient()
        #expect(p.gradientMatrix.storage.allSatisfy { $0 == 0 })
    }
}
