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

    /// `hiddenSize` is a number (every layer) or a list (one width per layer): a number decodes
    /// as one width and writes back as the same number; a list round-trips as a list.
    @Test func layerWidthsRoundTrip() throws {
        let old = #"{"kind":"lstm","vocabularySize":28,"embeddingSize":400,"hiddenSize":400,"layers":3}"#
        let uniform = try JSONDecoder().decode(ModelConfig.self, from: Data(old.utf8))
        #expect(uniform.layerWidths == .uniform(400) && uniform.hiddenSize == 400 && (0..<3).map(uniform.hiddenSize(ofLayer:)) == [400, 400, 400])
        #expect(String(decoding: try JSONEncoder().encode(uniform), as: UTF8.self).contains(#""hiddenSize":400"#))
        var awd = uniform
        awd.layerWidths = .perLayer([1150, 1150, 400])
        awd.tied = true
        try awd.validate()
        #expect(awd.hiddenSize == 400 && awd.hiddenSize(ofLayer: 0) == 1150)
        let data = try JSONEncoder().encode(awd)
        #expect(String(decoding: data, as: UTF8.self).contains(#""hiddenSize":[1150,1150,400]"#))
        #expect(try JSONDecoder().decode(ModelConfig.self, from: data) == awd)
        #expect(ModelConfig.LayerWidths([400, 400]) == .uniform(400) && ModelConfig.LayerWidths([5, 3]) == .perLayer([5, 3]))
        #expect(ModelConfig.LayerWidths.perLayer([1150, 1150, 400]).description == "1150,1150,400")
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(ModelConfig.self, from: Data(old.replacingOccurrences(of: "\"hiddenSize\":400", with: "\"hiddenSize\":\"wide\"").utf8))
        }
        // Setting hiddenSize makes every layer that wide again.
        awd.hiddenSize = 64
        #expect(awd.layerWidths == .uniform(64))
    }

    /// Per-layer widths: one per layer, each at least 1, and a tied head needs only the last
    /// to equal the embedding; each error names model.hiddenSize or model.tied.
    @Test func layerWidthsAreValidatedByKeyPath() throws {
        func error(_ c: ModelConfig) -> SettingsError? {
            do { try c.validate(); return nil } catch { return error as? SettingsError }
        }
        var c = ModelConfig(kind: .lstm, vocabularySize: 28, embeddingSize: 400, hiddenSize: 1, layers: 2)
        c.layerWidths = .perLayer([1150, 1150, 400])
        #expect(error(c)?.key == "model.hiddenSize")
        #expect(error(c)?.description == "model.hiddenSize lists 3 widths but model.layers is 2; give one width per layer")
        c.layers = 3
        #expect(error(c) == nil)
        c.tied = true
        #expect(error(c) == nil)
        c.layerWidths = .perLayer([400, 400, 1150])
        #expect(error(c)?.key == "model.tied")
        #expect(error(c)?.description == "model.tied reuses the V × E embedding as the output weights, so the top layer's model.hiddenSize (1150) must equal model.embeddingSize (400); make the last width 400")
        c.tied = false
        c.layerWidths = .perLayer([400, 0, 400])
        #expect(error(c)?.description == "model.hiddenSize must be at least 1 for every layer (layer 1 is 0)")
    }

    /// AR and TAR: off and unwritten by default, recorded when on, every field optional in
    /// decoding; a negative or non-finite weight is refused naming its key path.
    @Test func activationRegularizationRoundTripsAndIsValidated() throws {
        var c = ModelConfig(kind: .lstm, vocabularySize: 28, embeddingSize: 8, hiddenSize: 8)
        #expect(c.activationRegularization == .off)
        #expect(!String(decoding: try JSONEncoder().encode(c), as: UTF8.self).contains("activationRegularization"))
        c.activationRegularization = .init(ar: 2, tar: 1)
        let sorted = JSONEncoder()
        sorted.outputFormatting = .sortedKeys
        let data = try sorted.encode(c)
        #expect(String(decoding: data, as: UTF8.self).contains(#""activationRegularization":{"ar":2,"tar":1}"#))
        #expect(try JSONDecoder().decode(ModelConfig.self, from: data) == c)
        let partial = #"{"kind":"lstm","vocabularySize":28,"hiddenSize":8,"activationRegularization":{"tar":1}}"#
        #expect(try JSONDecoder().decode(ModelConfig.self, from: Data(partial.utf8)).activationRegularization == .init(ar: 0, tar: 1))
        for (ar, tar, key) in [(-1.0, 0.0, "model.activationRegularization.ar"), (0, .nan, "model.activationRegularization.tar"),
                               (.infinity, 0, "model.activationRegularization.ar")] {
            c.activationRegularization = .init(ar: ar, tar: tar)
            do { try c.validate(); Issue.record("AR \(ar), TAR \(tar) validated") } catch let error as SettingsError {
                #expect(error.key == key && error.problem == .outOfRange)
                #expect(error.description.hasPrefix(key + " "))
            }
        }
    }

    @Test func flopsPerTokenMatchesTheIssue() throws {
        // d2l 9.5 RNN-512 with vocabulary 28: 1.72 MFLOP per token.
        let rnn = ModelConfig(kind: .rnn, vocabularySize: 28, hiddenSize: 512)
        #expect(abs(try rnn.flopsPerToken - 1_716_224) < 1)
        let lstm = ModelConfig(kind: .lstm, vocabularySize: 28, hiddenSize: 256)
        #expect(abs(try lstm.flopsPerToken - (3 * 2 * 256 * 28 + 3 * 2 * 1024 * 256 + 2 * 2 * 28 * 1024)) < 1)
    }
}
