@testable import LMGeneration
import LMModels
import LMSettings
import LMText
import Testing

/// A tiny character model over the letters of "time traveller" with random weights.
func tinyGenerator(kind: ModelConfig.Kind = .rnn, embedding: Int? = nil, layers: Int = 1, seed: UInt64 = 1,
                   scale: Double = 0.8) throws -> Generator {
    let vocabulary = try Vocabulary(tokens: ["<unk>", " ", "e", "t", "r", "l", "a", "i", "m", "v", "h"])
    let config = ModelConfig(kind: kind, vocabularySize: vocabulary.count, embeddingSize: embedding,
                             hiddenSize: 12, layers: layers, initialization: .normal(scale: scale))
    var rng = SplitMix64(seed: seed)
    let model = try RecurrentLM<Float>(config: config, using: &rng)
    for p in model.parameters where p.isVector {   // non-zero biases, so that no logit ties
        for i in 0..<p.count { p.value[i] = Float.random(in: -0.5...0.5, using: &rng) }
    }
    return try Generator(model: model, vocabulary: vocabulary, pipeline: TextPipeline())
}

/// d2l's predict written out against the model's public API: zero state, feed prefix[0],
/// advance over prefix[1...], then argmax (over every id but <unk>) fed back.
func handRolledGreedy(_ model: RecurrentLM<Float>, prefix: [Int32], length: Int) throws -> [Int32] {
    model.resetState()
    var input = prefix[0]
    for t in prefix.indices.dropFirst() {
        try model.forward(inputs: [input], steps: 1, batch: 1)
        input = prefix[t]
    }
    var out: [Int32] = []
    for _ in 0..<length {
        try model.forward(inputs: [input], steps: 1, batch: 1)
        let logits = model.logits.storage
        var best = 1
        for i in 1..<logits.count where logits[i] > logits[best] { best = i }
        input = Int32(best)
        out.append(input)
    }
    return out
}

@Suite struct GeneratorTests {
    @Test(arguments: [(ModelConfig.Kind.rnn, nil, 1), (.gru, nil, 1), (.lstm, nil, 1), (.rnn, 5, 2), (.gru, 4, 2), (.lstm, 6, 3)] as [(ModelConfig.Kind, Int?, Int)])
    func greedyIsD2LPredict(kind: ModelConfig.Kind, embedding: Int?, layers: Int) throws {
        let generator = try tinyGenerator(kind: kind, embedding: embedding, layers: layers)
        let prefix = try generator.encode(prefix: "time traveller")
        #expect(prefix.ids.count == 14)
        var greedy = Greedy()
        var rng = SplitMix64(seed: 0)
        let ids = try generator.generate(prefix: prefix.ids, length: 40, sampler: &greedy, using: &rng)[0]
        #expect(ids == (try handRolledGreedy(generator.model, prefix: prefix.ids, length: 40)))
        // The state is reset at every call: the same text again.
        #expect(try generator.generate(prefix: prefix.ids, length: 40, sampler: &greedy, using: &rng)[0] == ids)
    }

    @Test func warmUpAdvancesTheStateOverThePrefix() throws {
        let generator = try tinyGenerator(kind: .gru)
        var greedy = Greedy()
        var rng = SplitMix64(seed: 0)
        // A one-token prefix does no warm-up: its first token comes from that token alone.
        let short = try generator.generate(prefix: [3], length: 1, sampler: &greedy, using: &rng)[0]
        #expect(short == (try handRolledGreedy(generator.model, prefix: [3], length: 1)))
        // The same last token after different prefixes gives different states.
        let a = try generator.encode(prefix: "tea").ids, b = try generator.encode(prefix: "ra").ids
        let ga = try generator.generate(prefix: a, length: 30, sampler: &greedy, using: &rng)[0]
        let gb = try generator.generate(prefix: b, length: 30, sampler: &greedy, using: &rng)[0]
        #expect(ga == (try handRolledGreedy(generator.model, prefix: a, length: 30)))
        #expect(gb == (try handRolledGreedy(generator.model, prefix: b, length: 30)))
    }

    @Test func unknownIsMaskedUnlessAllowed() throws {
        let generator = try tinyGenerator()
        generator.model.outputLayer.bias.value[0] = 50   // <unk> dominates every row
        var greedy = Greedy()
        var temperature = try Temperature(1)
        var rng = SplitMix64(seed: 0)
        let masked = try generator.generate(prefix: [3], length: 30, sampler: &greedy, using: &rng)[0]
        #expect(!masked.contains(0))
        let sampled = try generator.generate(prefix: [3], length: 200, sampler: &temperature, using: &rng)[0]
        #expect(!sampled.contains(0))
        let allowed = try generator.generate(prefix: [3], length: 5, sampler: &greedy, using: &rng, allowUnknown: true)[0]
        #expect(allowed == [0, 0, 0, 0, 0])
    }

    @Test func sameSeedSameTextAndAlpha2IsTemperatureHalf() throws {
        let generator = try tinyGenerator(kind: .lstm, scale: 1.5)
        let prefix = try generator.encode(prefix: "time").ids
        func text<S: LogitSampler>(_ sampler: inout S, seed: UInt64) throws -> String {
            var rng = SplitMix64(seed: seed)
            return generator.detokenizer.text(of: try generator.generate(prefix: prefix, length: 300, sampler: &sampler, using: &rng)[0])
        }
        var t = try Temperature(0.5), a = try AlphaSharpening(alpha: 2), t1 = try Temperature(1)
        let first = try text(&t, seed: 42)
        #expect(try text(&t, seed: 42) == first)
        #expect(try text(&a, seed: 42) == first)
        #expect(try text(&t, seed: 43) != first)
        #expect(try text(&t1, seed: 42) != first)
    }

    @Test func samplesAreOneBatchedPass() throws {
        let generator = try tinyGenerator(kind: .rnn)
        let prefix = try generator.encode(prefix: "the").ids
        var greedy = Greedy()
        var rng = SplitMix64(seed: 0)
        var steps: [[Int32]] = []
        let rows = try generator.generate(prefix: prefix, length: 20, samples: 3, sampler: &greedy, using: &rng) { step, tokens in
            #expect(step == steps.count)
            steps.append(Array(tokens))
        }
        #expect(rows.count == 3 && rows.allSatisfy { $0.count == 20 })
        #expect(steps.count == 20 && steps.allSatisfy { $0.count == 3 })
        for b in 0..<3 { #expect(steps.map { $0[b] } == rows[b]) }
        // Greedy rows are identical, and equal to the single-sample text.
        #expect(rows[0] == rows[1] && rows[1] == rows[2])
        #expect(rows[0] == (try handRolledGreedy(generator.model, prefix: prefix, length: 20)))
        // Sampled rows differ.
        var temperature = try Temperature(1.5)
        let sampled = try generator.generate(prefix: prefix, length: 40, samples: 4, sampler: &temperature, using: &rng)
        #expect(Set(sampled).count > 1)
    }

    @Test func prefixGoesThroughTheModelsPreprocessing() throws {
        let generator = try tinyGenerator()
        let read = try generator.encode(prefix: "The Time-Traveller!")
        #expect(read.text == "the time traveller")
        #expect(read.changed)
        #expect(read.unknownTokens.isEmpty)
        #expect(!(try generator.encode(prefix: "time traveller")).changed)
        let unknown = try generator.encode(prefix: "the quiz")
        #expect(unknown.unknownTokens == ["q", "u", "z"])
        #expect(unknown.ids == [3, 10, 2, 1, 0, 0, 7, 0])
        #expect(throws: GenerationError.unknownTokens(["q", "u", "z"])) { try generator.encode(prefix: "the quiz", strict: true) }
        #expect(throws: GenerationError.self) { try generator.encode(prefix: "") }
        #expect(throws: GenerationError.self) { try generator.encode(prefix: "!!! 42 ?") }
        var greedy = Greedy()
        var rng = SplitMix64(seed: 0)
        #expect(throws: GenerationError.self) { try generator.generate(prefix: [], length: 3, sampler: &greedy, using: &rng) }
        #expect(throws: GenerationError.self) { try generator.generate(prefix: [99], length: 3, sampler: &greedy, using: &rng) }
        #expect(try generator.generate(prefix: [3], length: 0, sampler: &greedy, using: &rng) == [[]])
    }

    @Test func mismatchedVocabularyIsRefused() throws {
        let generator = try tinyGenerator()
        #expect(throws: GenerationError.self) {
            try Generator(model: generator.model, vocabulary: try Vocabulary(tokens: ["<unk>", "a"]), pipeline: TextPipeline())
        }
    }

    /// What a caller stops a stream with.
    struct Enough: Error {}

    /// A stream keeps nothing it has handed on: a length of ~4.6e18 tokens starts at once (it
    /// used to reserve `length` ids up front and abort) and gives the same text as a short one.
    @Test func aStreamOfAnyLengthKeepsNothing() throws {
        let generator = try tinyGenerator()
        let prefix = try generator.encode(prefix: "time")
        var short = ""
        try generator.continue(prefix, length: 300, sampling: SamplingOptions(temperature: 0.9), seed: 3) { short += $0 }
        var long = "", pieces = 0
        #expect(throws: Enough.self) {
            try generator.continue(prefix, length: Int.max / 2, sampling: SamplingOptions(temperature: 0.9), seed: 3) { piece in
                long += piece
                pieces += 1
                if pieces == 300 { throw Enough() }
            }
        }
        #expect(long == short)
        var greedy = Greedy(), rng = SplitMix64(seed: 0)
        var steps = 0
        #expect(throws: Enough.self) {
            try generator.stream(prefix: prefix.ids, length: Int.max, samples: 3, sampler: &greedy, using: &rng) { step, tokens in
                #expect(tokens.count == 3)
                steps += 1
                if step == 99 { throw Enough() }
            }
        }
        #expect(steps == 100)
    }

    /// Samples (rows) or kept ids that cannot fit in memory are refused before anything is
    /// allocated, naming the setting; sizes that overflow `Int` too.
    @Test func samplesThatCannotFitAreRefusedNamingTheSetting() throws {
        let generator = try tinyGenerator()
        var greedy = Greedy(), rng = SplitMix64(seed: 0)
        for (length, samples, named) in [(50, 10_000_000_000, "generation.samples 10000000000 rows"),
                                         (10_000_000_000, 2, "generation.samples 2 × generation.length 10000000000 tokens"),
                                         (Int.max, Int.max, "generation.samples")] {
            #expect {
                _ = try generator.generate(prefix: [3], length: length, samples: samples, sampler: &greedy, using: &rng)
            } throws: { error in
                "\(error)".hasPrefix(named) && "\(error)".contains("of memory but only")
            }
        }
        #expect(throws: GenerationError.self) {
            try generator.stream(prefix: [3], length: 10, samples: 10_000_000_000, sampler: &greedy, using: &rng) { _, _ in }
        }
        try generator.requireMemory(samples: 2, length: 1_000_000, keepingIds: true, available: 1 << 30)
        #expect(throws: GenerationError.self) {
            try generator.requireMemory(samples: 2, length: 1_000_000, keepingIds: true, available: 1 << 20)
        }
        try generator.requireMemory(samples: 2, length: Int.max, keepingIds: false, available: 1 << 20)
    }
}
