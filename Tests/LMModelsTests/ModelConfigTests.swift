import Foundation
@testable import LMModels
import LMSettings
import Testing

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
        #expect(throws: SettingsError.self) { try ModelConfig(kind: .rnn, vocabularySize: 0, hiddenSize: 4).validate() }
        #expect(throws: SettingsError.self) { try ModelConfig(kind: .rnn, vocabularySize: 4, hiddenSize: 4, layers: 0).validate() }
        #expect(throws: SettingsError.self) { try ModelConfig(kind: .gru, activation: .relu, vocabularySize: 4, hiddenSize: 4).validate() }
        #expect(throws: SettingsError.self) { try ModelConfig(kind: .rnn, vocabularySize: 4, embeddingSize: 0, hiddenSize: 4).validate() }
        do {
            try ModelConfig(kind: .rnn, vocabularySize: 4, hiddenSize: -1).validate()
        } catch {
            #expect("\(error)".contains("hiddenSize"))
        }
    }

    @Test func newFieldsRoundTripAndOldFilesLoad() throws {
        var c = ModelConfig(kind: .lstm, vocabularySize: 28, embeddingSize: 16, hiddenSize: 16, layers: 2, initialization: .pytorch)
        c.tied = true
        c.recurrentBias = true
        c.embeddingInitialization = .normal(scale: 1)
        c.outputInitialization = .uniform(bound: 0.1)
        c.forgetBias = 1
        let data = try JSONEncoder().encode(c)
        #expect(try JSONDecoder().decode(ModelConfig.self, from: data) == c)
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"tied\":true", "\"recurrentBias\":true", "\"embeddingInitialization\"", "\"outputInitialization\"",
                    "\"forgetBias\":1", "\"scheme\":\"pytorch\""] {
            #expect(text.contains(key), "\(key) in \(text)")
        }
        // A config.json written before these fields existed.
        let old = #"{"kind":"lstm","activation":"tanh","vocabularySize":28,"embeddingSize":16,"hiddenSize":16,"layers":2,"initialization":{"scheme":"normal","scale":0.01}}"#
        let decoded = try JSONDecoder().decode(ModelConfig.self, from: Data(old.utf8))
        #expect(!decoded.tied && !decoded.recurrentBias && decoded.forgetBias == nil)
        #expect(decoded.embeddingInitialization == nil && decoded.outputInitialization == nil)
        #expect(decoded == ModelConfig(kind: .lstm, vocabularySize: 28, embeddingSize: 16, hiddenSize: 16, layers: 2))
    }

    /// `"gruVariant":"pytorch"` round-trips, an old config.json reads as d2l, and the variant
    /// is refused on other cells in one line naming the flag.
    @Test func gruVariantRoundTripsAndAppliesToGRUOnly() throws {
        var c = ModelConfig(kind: .gru, vocabularySize: 28, embeddingSize: 8, hiddenSize: 8, layers: 2)
        c.gruVariant = .pytorch
        let data = try JSONEncoder().encode(c)
        #expect(String(decoding: data, as: UTF8.self).contains(#""gruVariant":"pytorch""#))
        #expect(try JSONDecoder().decode(ModelConfig.self, from: data) == c)
        let json = #"{"kind":"gru","vocabularySize":28,"hiddenSize":8,"gruVariant":"pytorch"}"#
        #expect(try JSONDecoder().decode(ModelConfig.self, from: Data(json.utf8)).gruVariant == .pytorch)
        let old = #"{"kind":"gru","vocabularySize":28,"hiddenSize":8}"#
        #expect(try JSONDecoder().decode(ModelConfig.self, from: Data(old.utf8)).gruVariant == .d2l)
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ModelConfig.self, from: Data(json.replacingOccurrences(of: "pytorch", with: "keras").utf8))
        }
        var lstm = ModelConfig(kind: .lstm, vocabularySize: 28, hiddenSize: 8)
        lstm.gruVariant = .pytorch
        do { try lstm.validate(); Issue.record("an lstm with gruVariant pytorch validated") } catch {
            #expect("\(error)" == "model.gruVariant applies to the gru cell only; lstm has no reset gate")
        }
        try c.validate()
    }

    @Test func tyingAndForgetBiasErrorsSayWhatToChange() throws {
        func message(_ c: ModelConfig) -> String {
            do { try c.validate(); return "" } catch { return "\(error)" }
        }
        var oneHot = ModelConfig(kind: .lstm, vocabularySize: 28, hiddenSize: 650)
        oneHot.tied = true
        #expect(message(oneHot).contains("one-hot input has none; add model.embeddingSize 650"))
        var mismatched = ModelConfig(kind: .lstm, vocabularySize: 28, embeddingSize: 200, hiddenSize: 650)
        mismatched.tied = true
        #expect(message(mismatched) == "model.tied reuses the V × E embedding as the output weights, "
                + "so model.hiddenSize (650) must equal model.embeddingSize (200); set both to the same width")
        mismatched.embeddingSize = 650
        #expect(message(mismatched) == "")
        var gru = ModelConfig(kind: .gru, vocabularySize: 28, hiddenSize: 8)
        gru.forgetBias = 1
        #expect(message(gru).contains("lstm cell only"))
        var override = ModelConfig(kind: .rnn, vocabularySize: 28, hiddenSize: 8)
        override.embeddingInitialization = .normal(scale: 1)
        #expect(message(override).contains("needs an embedding"))
        override.embeddingSize = 4
        override.outputInitialization = .uniform(bound: 0)
        #expect(message(override).contains("outputInitialization"))
    }

    @Test func flopsPerTokenMatchesTheIssue() throws {
        // d2l 9.5 RNN-512 with vocabulary 28: 1.72 MFLOP per token.
        let rnn = ModelConfig(kind: .rnn, vocabularySize: 28, hiddenSize: 512)
        #expect(abs(try rnn.flopsPerToken - 1_716_224) < 1)
        let lstm = ModelConfig(kind: .lstm, vocabularySize: 28, hiddenSize: 256)
        #expect(abs(try lstm.flopsPerToken - (3 * 2 * 256 * 28 + 3 * 2 * 1024 * 256 + 2 * 2 * 28 * 1024)) < 1)
    }
}
