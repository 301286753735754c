import Foundation
@testable import LMGeneration
import LMModels
import LMSettings
import LMText
import Testing

/// A small model with random weights over `tokens` (the first is `<unk>`).
func tinyGenerator(tokens: [String], kind: ModelConfig.Kind, embedding: Int? = nil, layers: Int = 1, seed: UInt64,
                   gruVariant: ModelConfig.GRUVariant? = nil, level: TextPipeline.Level = .char) throws -> Generator {
    let vocabulary = try Vocabulary(tokens: tokens)
    var config = ModelConfig(kind: kind, vocabularySize: vocabulary.count, embeddingSize: embedding, hiddenSize: 10,
                             layers: layers, initialization: .normal(scale: 0.9))
    if let gruVariant { config.gruVariant = gruVariant }
    var rng = SplitMix64(seed: seed)
    let model = try RecurrentLM<Float>(config: config, using: &rng)
    for p in model.parameters where p.isVector {
        for i in 0..<p.count { p.value[i] = Float.random(in: -0.8...0.8, using: &rng) }
    }
    return try Generator(model: model, vocabulary: vocabulary, pipeline: TextPipeline(level: level))
}

/// Every continuation of `length` tokens over the ids 1 ..< V (`<unk>` masked), cut after the
/// first `end` when given, with its summed log-probability through `model.forward` at batch 1
/// (log-softmax in Double over the masked logits), deduplicated.
func exhaustive(_ model: RecurrentLM<Float>, prefix: [Int32], length: Int, end: Int32? = nil) throws -> [(tokens: [Int32], logProbability: Double)] {
    let v = model.config.vocabularySize
    var results: [[Int32]: Double] = [:]
    var sequence = [Int32](repeating: 1, count: length)
    func next() -> Bool {   // odometer over 1 ..< v
        for i in stride(from: length - 1, through: 0, by: -1) {
            if Int(sequence[i]) < v - 1 { sequence[i] += 1; return true }
            sequence[i] = 1
        }
        return false
    }
    repeat {
        var tokens = sequence
        if let end, let cut = tokens.firstIndex(of: end) { tokens = Array(tokens[...cut]) }
        if results[tokens] != nil { continue }
        model.resetState()
        var total = 0.0
        let inputs = prefix + tokens
        for t in 0..<inputs.count - 1 {
            try model.forward(inputs: [inputs[t]], steps: 1, batch: 1)
            guard t >= prefix.count - 1 else { continue }
            let z = model.logits.storage.map(Double.init)
            let m = z[1...].max()!
            let logSum = log(z[1...].reduce(0) { $0 + exp($1 - m) })
            total += (z[Int(inputs[t + 1])] - m) - logSum
        }
        results[tokens] = total
    } while next()
    return results.map { ($0.key, $0.value) }
}

/// Drives ``BeamSearch/run`` with logits given by a function of each row's history (the tokens
/// fed since the reset), for constructed cases.
struct TableStepper: BeamStepper {
    let logits: ([Int32]) -> [Float]
    var histories: [[Int32]] = []
    var steps = 0

    mutating func reset(batch: Int) { histories = Array(repeating: [], count: batch) }

    mutating func step(_ ids: UnsafeBufferPointer<Int32>, reading body: (UnsafeBufferPointer<Float>) throws -> Void) throws {
        steps += 1
        for b in histories.indices { histories[b].append(ids[b]) }
        try histories.flatMap(logits).withUnsafeBufferPointer(body)
    }

    mutating func gatherRows(_ sources: UnsafeBufferPointer<Int32>) { histories = sources.map { histories[Int($0)] } }
}

@Suite struct BeamSearchTests {
    /// With K = A^(L−1) beams (A tokens allowed, L new ones) nothing is pruned: the best
    /// hypothesis is the exhaustive argmax and the K kept are the K best of all A^L, in order;
    /// through the model's step and through `model.forward` alike. Every cell kind.
    @Test(arguments: [(ModelConfig.Kind.rnn, nil, 1, nil), (.gru, nil, 1, nil), (.lstm, nil, 1, nil), (.gru, nil, 1, .pytorch),
                      (.rnn, 3, 2, nil), (.lstm, 4, 2, nil)] as [(ModelConfig.Kind, Int?, Int, ModelConfig.GRUVariant?)])
    func enoughBeamsIsExhaustiveSearch(kind: ModelConfig.Kind, embedding: Int?, layers: Int, variant: ModelConfig.GRUVariant?) throws {
        let tokens = ["<unk>", "a", "b", "c", "d"]
        for seed: UInt64 in [1, 2] {
            let generator = try tinyGenerator(tokens: tokens, kind: kind, embedding: embedding, layers: layers, seed: seed, gruVariant: variant)
            #expect(generator.usesStepKernel)
            let reference = try Generator(referencePathFor: generator.model, vocabulary: generator.vocabulary, pipeline: generator.pipeline)
            let prefix: [Int32] = [2, 1, 3]
            let all = try exhaustive(generator.model, prefix: prefix, length: 4).sorted { $0.logProbability > $1.logProbability }
            #expect(all.count == 256)
            for g in [generator, reference] {
                let beams = try g.beamSearch(prefix: prefix, length: 4, search: BeamSearch(beams: 64))
                #expect(beams.count == 64)
                #expect(beams[0].tokens == all[0].tokens, "\(kind) seed \(seed)")
                for (found, best) in zip(beams, all) {
                    #expect(abs(found.logProbability - best.logProbability) < 1e-4, "\(kind) seed \(seed)")
                    #expect(found.score == found.logProbability && !found.finished)
                }
                #expect(beams.map(\.logProbability) == beams.map(\.logProbability).sorted(by: >))
            }
        }
    }

    /// K = 1 is greedy decoding, token for token, whatever the length penalty.
    @Test(arguments: [ModelConfig.Kind.rnn, .gru, .lstm])
    func oneBeamIsGreedy(kind: ModelConfig.Kind) throws {
        let generator = try tinyGenerator(kind: kind)
        let prefix = try generator.encode(prefix: "time traveller").ids
        var greedy = Greedy()
        var rng = SplitMix64(seed: 0)
        let expected = try generator.generate(prefix: prefix, length: 40, sampler: &greedy, using: &rng)[0]
        for alpha in [0.0, 1] {
            let beams = try generator.beamSearch(prefix: prefix, length: 40, search: BeamSearch(beams: 1, lengthPenalty: alpha))
            #expect(beams.count == 1 && beams[0].tokens == expected)
        }
    }

    /// Wider beams through the step and through `model.forward` agree, and each beam's
    /// log-probability is what the model gives its tokens; without an end token the length
    /// penalty only rescales the scores.
    @Test func widerBeamsAgreeAcrossPathsAndPenalties() throws {
        let generator = try tinyGenerator(kind: .lstm, embedding: 5, layers: 2)
        let reference = try Generator(referencePathFor: generator.model, vocabulary: generator.vocabulary, pipeline: generator.pipeline)
        let prefix = try generator.encode(prefix: "the time").ids
        let plain = try generator.beamSearch(prefix: prefix, length: 12, search: BeamSearch(beams: 5))
        #expect(plain.count == 5 && Set(plain.map(\.tokens)).count == 5)
        let viaForward = try reference.beamSearch(prefix: prefix, length: 12, search: BeamSearch(beams: 5))
        #expect(viaForward.map(\.tokens) == plain.map(\.tokens))
        for alpha in [0.5, 1, 2] {
            let normalized = try generator.beamSearch(prefix: prefix, length: 12, search: BeamSearch(beams: 5, lengthPenalty: alpha))
            #expect(normalized.map(\.tokens) == plain.map(\.tokens))
            for (n, p) in zip(normalized, plain) { #expect(abs(n.score - p.logProbability / pow(12, alpha)) < 1e-12) }
        }
        // A wider beam finds a continuation at least as likely as greedy's here.
        #expect(plain[0].logProbability >= (try generator.beamSearch(prefix: prefix, length: 12, search: BeamSearch(beams: 1)))[0].logProbability)
    }

    /// With `<eos>` finishing hypotheses and enough beams, the best is the exhaustive argmax of
    /// log-probability / length^α over the finished and the full-length continuations.
    @Test(arguments: [0.0, 0.6, 1.0, 2.0])
    func stoppingAtEndOfSequenceIsExhaustiveToo(alpha: Double) throws {
        let tokens = ["<unk>", "<eos>", "a", "b", "c"]
        let search = BeamSearch(beams: 64, lengthPenalty: alpha, stopAtEndOfSequence: true)
        for (kind, seed) in [(ModelConfig.Kind.gru, UInt64(3)), (.lstm, 4), (.rnn, 5)] {
            let generator = try tinyGenerator(tokens: tokens, kind: kind, seed: seed, level: .word)
            #expect(generator.endOfSequenceID == 1)
            let all = try exhaustive(generator.model, prefix: [2, 3], length: 4, end: 1)
            let best = all.max { search.score(logProbability: $0.logProbability, length: $0.tokens.count)
                                 < search.score(logProbability: $1.logProbability, length: $1.tokens.count) }!
            let beams = try generator.beamSearch(prefix: [2, 3], length: 4, search: search)
            #expect(beams[0].tokens == best.tokens, "\(kind) α \(alpha)")
            #expect(abs(beams[0].logProbability - best.logProbability) < 1e-4)
            #expect(beams[0].finished == (beams[0].tokens.last == 1))
            #expect(beams.allSatisfy { !$0.tokens.dropLast().contains(1) })
        }
    }

    /// A constructed case: `<eos>` at once (p ≈ 0.62) against "a a a" (p ≈ 0.37, then ≈ 1 per
    /// token). Unnormalized, the short one wins and the search ends after one step; α = 1
    /// (the mean per token) prefers the long one.
    @Test func lengthPenaltyDecidesBetweenShortAndLong() throws {
        func logits(_ history: [Int32]) -> [Float] {   // ids: <unk>, <eos>, a, b
            history.count == 1 ? [0, 0, -0.5, -20] : [0, 0, 5, -20]
        }
        var stepper = TableStepper(logits: logits)
        let short = try BeamSearch(beams: 1).run(&stepper, prefix: [3], length: 3, vocabularySize: 4, allowUnknown: false, endToken: 1)
        #expect(short.map(\.tokens) == [[1]] && short[0].finished && short[0].textTokens.isEmpty)
        #expect(stepper.steps == 1)
        #expect(abs(short[0].logProbability - -log(1 + exp(-0.5) + exp(-20))) < 1e-12)

        stepper = TableStepper(logits: logits)
        let long = try BeamSearch(beams: 2, lengthPenalty: 1).run(&stepper, prefix: [3], length: 3, vocabularySize: 4,
                                                                  allowUnknown: false, endToken: 1)
        #expect(long.map(\.tokens) == [[2, 2, 2], [1]])
        #expect(!long[0].finished && long[1].finished && long[0].textTokens == [2, 2, 2])
        #expect(abs(long[0].score - long[0].logProbability / 3) < 1e-12 && long[1].score == long[1].logProbability)
        #expect(stepper.steps == 3)

        // The length is a bound, not an allocation: a search that ends early costs what it ran.
        stepper = TableStepper(logits: logits)
        let bounded = try BeamSearch(beams: 1).run(&stepper, prefix: [3], length: 1 << 40, vocabularySize: 4, allowUnknown: false, endToken: 1)
        #expect(bounded == short && stepper.steps == 1)

        // Without stopping at <eos> it is a token like any other: the best stays the most likely.
        stepper = TableStepper(logits: logits)
        let fixed = try BeamSearch(beams: 2, lengthPenalty: 1).run(&stepper, prefix: [3], length: 3, vocabularySize: 4,
                                                                   allowUnknown: false, endToken: nil)
        #expect(fixed.allSatisfy { $0.tokens.count == 3 && !$0.finished })
    }

    /// Equal scores go to the lower hypothesis, then the lower token; `<unk>` is masked unless allowed.
    @Test func tiesAreBrokenByPlaceThenToken() throws {
        var stepper = TableStepper(logits: { _ in [0, 0, 0, 0] })
        let beams = try BeamSearch(beams: 3).run(&stepper, prefix: [1, 2], length: 2, vocabularySize: 4, allowUnknown: false, endToken: nil)
        #expect(beams.map(\.tokens) == [[1, 1], [1, 2], [1, 3]])
        #expect(stepper.steps == 3)   // one warm-up step, two generated
        stepper = TableStepper(logits: { _ in [0, 0, 0, 0] })
        let withUnknown = try BeamSearch(beams: 2).run(&stepper, prefix: [1], length: 2, vocabularySize: 4, allowUnknown: true, endToken: nil)
        #expect(withUnknown.map(\.tokens) == [[0, 0], [0, 1]])
        // Fewer continuations than beams: all of them, and length 0 gives the empty one.
        stepper = TableStepper(logits: { _ in [0, 0, 1, 2] })
        let few = try BeamSearch(beams: 8).run(&stepper, prefix: [1], length: 1, vocabularySize: 4, allowUnknown: false, endToken: nil)
        #expect(few.map(\.tokens) == [[3], [2], [1]])
        let none = try BeamSearch(beams: 8).run(&stepper, prefix: [1], length: 0, vocabularySize: 4, allowUnknown: false, endToken: nil)
        #expect(none == [BeamHypothesis(tokens: [], logProbability: 0, score: 0, finished: false)])
    }

    @Test func badSettingsAndDamagedModelsAreRefused() throws {
        let generator = try tinyGenerator()
        func message(_ search: BeamSearch, length: Int = 3) -> String? {
            do { _ = try generator.beamSearch(prefix: [3], length: length, search: search); return nil } catch { return "\(error)" }
        }
        #expect(message(BeamSearch(beams: 0)) == "the number of beams must be in 1...64 (got 0)")
        #expect(message(BeamSearch(beams: 65)) == "the number of beams must be in 1...64 (got 65)")
        #expect(message(BeamSearch(beams: 2, lengthPenalty: -1)) == "the length penalty must be finite and ≥ 0 (got -1.0)")
        #expect(message(BeamSearch(beams: 2), length: -1) == "the length must be ≥ 0 (got -1)")
        #expect(message(BeamSearch(beams: 2, stopAtEndOfSequence: true))?.hasPrefix("sampling.stopAtEOS needs <eos> in the model's vocabulary") == true)
        var stepper = TableStepper(logits: { $0.count < 3 ? [0, 1, 2, 3] : [0, .nan, 2, 3] })
        #expect(throws: GenerationError.nonFiniteLogits(step: 1)) {
            try BeamSearch(beams: 2).run(&stepper, prefix: [1, 2], length: 4, vocabularySize: 4, allowUnknown: false, endToken: nil)
        }
    }

    /// The streaming entry point (what lm-generate and LMKit call) emits the best hypothesis's
    /// pieces, the same text as the search's best.
    @Test func continuationStreamsTheBestHypothesis() throws {
        let generator = try tinyGenerator(kind: .gru)
        let prefix = try generator.encode(prefix: "time")
        var pieces: [String] = []
        try generator.continue(prefix, length: 20, sampling: SamplingOptions(beams: 4), seed: 1) { pieces.append($0) }
        let best = try generator.beamSearch(prefix: prefix.ids, length: 20, search: BeamSearch(beams: 4))[0]
        #expect(pieces.count == 20 && pieces.joined() == generator.detokenizer.text(of: best.tokens, after: prefix.ids.last))
    }
}
