import Testing
import Foundation
@testable import LMModels

@Suite struct ModelConfigTests {
    @Test func codableRoundTrip() throws {
        for initialization in [ModelConfig.Initialization.d2l, .xavierUniform, .uniform(bound: 0.1)] {
            let c = ModelConfig(kind: .lstm, vocabularySize: 28, embeddingSize: 32, hiddenSize: 256, layers: 2, initialization: initialization)
            let data = try JSONEncoder().encode(c)
            #expect(try JSONDecoder().decode(ModelConfig.self, from: data) == c)
        }
        let json = #"{"kind":"gru","activation":"tanh","vocabularySize":28,"hiddenSize":8,"layers":1,"initialization":{"scheme":"normal","scale":0.01}}"#
        let c = try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8))
        #expect(c.embeddingSize == nil && c.initialization == .d2l && c.kind == .gru)
        let minimal = try JSONDecoder().decode(ModelConfig.self, from: Data(#"{"kind":"lstm","vocabularySize":28,"hiddenSize":256}"#.utf8))
        #expect(minimal == ModelConfig(kind: .lstm, vocabularySize: 28, hiddenSize: 256))
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ModelConfig.self, from: Data(json.replacingOccurrences(of: "normal", with: "gaussian").utf8))
        }
    }

    @Test func validationNamesTheField() {
        #expect(throws: ModelError.self) { try ModelConfig(kind: .rnn, vocabularySize: 0, hiddenSize: 4).validate() }
        #expect(throws: ModelError.self) { try ModelConfig(kind: .rnn, vocabularySize: 4, hiddenSize: 4, layers: 0).validate() }
        #expect(throws: ModelError.self) { try ModelConfig(kind: .gru, activation: .relu, vocabularySize: 4, hiddenSize: 4).validate() }
        #expect(throws: ModelError.self) { try ModelConfig(kind: .rnn, vocabularySize: 4, embeddingSize: 0, hiddenSize: 4).validate() }
        do {
            try ModelConfig(kind: .rnn, vocabularySize: 4, hiddenSize: -1).validate()
        } catch {
            #expect("\(error)".contains("hiddenSize"))
        }
    }

    @Test func flopsPerTokenMatchesTheIssue() {
        // d2l 9.5 RNN-512 with vocabulary 28: 1.72 MFLOP per token.
        let rnn = ModelConfig(kind: .rnn, vocabularySize: 28, hiddenSize: 512)
        #expect(abs(rnn.flopsPerToken - 1_716_224) < 1)
        let lstm = ModelConfig(kind: .lstm, vocabularySize: 28, hiddenSize: 256)
        #expect(abs(lstm.flopsPerToken - (3 * 2 * 256 * 28 + 3 * 2 * 1024 * 256 + 2 * 2 * 28 * 1024)) < 1)
    }
}
