import Foundation
@testable import LMGeneration
import LMModels
import LMSettings
import LMText
import Testing

/// Sequences stepped together in a ``GenerationBatch`` give, each, exactly the text of
/// ``Generator/continue(_:length:sampling:seed:allowUnknown:onPiece:)`` with the same prefix,
/// strategy and seed, whatever joins and leaves around them.
@Suite struct GenerationBatchTests {
    static let text = "the time traveller for so it will be convenient to speak of him was expounding a recondite matter to us"

    /// A randomly initialised model of `kind` over the character vocabulary of ``text``.
    static func generator(kind: ModelConfig.Kind, embedding: Int?, layers: Int, level: TextPipeline.Level = .char) throws -> Generator {
        var pipeline = TextPipeline()
        pipeline.level = level
        let vocabulary = try Vocabulary(counts: TokenCounts(tokens: try pipeline.tokens(of: text, source: "test")))
        var config = ModelConfig(kind: kind, vocabularySize: vocabulary.count, embeddingSize: embedding, hiddenSize: 24,
                                 layers: layers, initialization: .pytorch)
        config.tied = embedding == 24
        var rng = SplitMix64(seed: 11)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        return try Generator(model: model, vocabulary: vocabulary, pipeline: pipeline)
    }

    /// What the generator alone gives.
    static func alone(_ generator: Generator, _ prefix: String, length: Int, sampling: SamplingOptions, seed: UInt64) throws -> [String] {
        var pieces: [String] = []
        try generator.continue(try generator.encode(prefix: prefix), length: length, sampling: sampling, seed: seed) { pieces.append($0) }
        return pieces
    }

    struct Asked {
        let prefix: String, length: Int, sampling: SamplingOptions, seed: UInt64, joinsAt: Int
    }

    static let asked: [Asked] = [
        Asked(prefix: "time traveller", length: 30, sampling: SamplingOptions(strategy: .greedy), seed: 0, joinsAt: 0),
        Asked(prefix: "a", length: 12, sampling: SamplingOptions(temperature: 0.9), seed: 5, joinsAt: 0),
        Asked(prefix: "the matter", length: 25, sampling: SamplingOptions(topK: 4), seed: 9, joinsAt: 3),
        Asked(prefix: "speak of him", length: 8, sampling: SamplingOptions(topP: 0.8), seed: 2, joinsAt: 7),
        Asked(prefix: "us", length: 20, sampling: SamplingOptions(alpha: 2), seed: 3, joinsAt: 15),
    ]

    @Test(arguments: [(ModelConfig.Kind.rnn, Int?.none, 1), (.gru, 8, 2), (.lstm, 24, 2), (.lstm, nil, 1)])
    func everySequenceGetsItsOwnText(kind: ModelConfig.Kind, embedding: Int?, layers: Int) throws {
        let generator = try Self.generator(kind: kind, embedding: embedding, layers: layers)
        let batch = try #require(GenerationBatch(generator: generator, capacity: 4))
        var tickets: [GenerationBatch.Ticket: Int] = [:]
        var pieces = [[String]](repeating: [], count: Self.asked.count)
        var pending = Array(Self.asked.enumerated())
        var step = 0
        while !pending.isEmpty || batch.count > 0 {
            // Join when asked and when a row is free (the last one waits for a row).
            while let (i, a) = pending.first, a.joinsAt <= step, !batch.isFull {
                let ticket = try batch.add(try generator.encode(prefix: a.prefix), length: a.length, sampling: a.sampling, seed: a.seed)
                tickets[ticket] = i
                pending.removeFirst()
            }
            batch.step { event in
                guard case let .token(token) = event else { Issue.record("unexpected \(event)"); return }
                pieces[tickets[token.ticket]!].append(token.piece)
                #expect(token.index == pieces[tickets[token.ticket]!].count - 1)
                #expect(token.isLast == (token.index == Self.asked[tickets[token.ticket]!].length - 1))
            }
            step += 1
        }
        for (i, a) in Self.asked.enumerated() {
            #expect(pieces[i] == (try Self.alone(generator, a.prefix, length: a.length, sampling: a.sampling, seed: a.seed)), "sequence \(i)")
        }
    }

    @Test func aSequenceRemovedMidwayLeavesTheOthersUntouched() throws {
        let generator = try Self.generator(kind: .lstm, embedding: 8, layers: 2, level: .word)
        let batch = try #require(GenerationBatch(generator: generator, capacity: 3))
        let sampling = SamplingOptions(temperature: 1)
        let a = try batch.add(try generator.encode(prefix: "the time"), length: 20, sampling: sampling, seed: 1)
        let b = try batch.add(try generator.encode(prefix: "matter to"), length: 20, sampling: sampling, seed: 2)
        let c = try batch.add(try generator.encode(prefix: "so it will"), length: 20, sampling: sampling, seed: 3)
        var pieces: [GenerationBatch.Ticket: [String]] = [:]
        for step in 0..<40 {
            if step == 5 { batch.remove(a) }   // the last row moves into a's place
            batch.step { event in
                if case let .token(token) = event { pieces[token.ticket, default: []].append(token.piece) }
            }
        }
        #expect(batch.count == 0 && !batch.contains(b))
        #expect(pieces[b] == (try Self.alone(generator, "matter to", length: 20, sampling: sampling, seed: 2)))
        #expect(pieces[c] == (try Self.alone(generator, "so it will", length: 20, sampling: sampling, seed: 3)))
        #expect((pieces[a] ?? []).count < 20)
    }

    /// A vocabulary large enough that the rows draw on the worker pool: still each its own text.
    @Test func rowsDrawnInParallelGetTheirOwnText() throws {
        var pipeline = TextPipeline()
        pipeline.level = .word
        pipeline.preprocessor.preset = .raw
        let words = (0..<20_000).map { "w\($0)" }
        let vocabulary = try Vocabulary(tokens: [Vocabulary.unknownToken] + words)
        var config = ModelConfig(kind: .gru, vocabularySize: vocabulary.count, embeddingSize: 8, hiddenSize: 8, layers: 1,
                                 initialization: .pytorch)
        config.tied = true
        var rng = SplitMix64(seed: 3)
        let generator = try Generator(model: try RecurrentLM<Float>(config: config, using: &rng), vocabulary: vocabulary, pipeline: pipeline)
        let batch = try #require(GenerationBatch(generator: generator, capacity: 6))
        let sampling = SamplingOptions(temperature: 1.3)
        var tickets: [GenerationBatch.Ticket: Int] = [:]
        for i in 0..<6 { tickets[try batch.add(try generator.encode(prefix: "w\(i) w7"), length: 15, sampling: sampling, seed: UInt64(i))] = i }
        var pieces = [[String]](repeating: [], count: 6)
        while batch.count > 0 {
            batch.step { if case let .token(t) = $0 { pieces[tickets[t.ticket]!].append(t.piece) } }
        }
        for i in 0..<6 {
            #expect(pieces[i] == (try Self.alone(generator, "w\(i) w7", length: 15, sampling: sampling, seed: UInt64(i))))
        }
    }

    @Test func logProbabilitiesAreTheModelsAndAlternativesRankedBest() throws {
        let generator = try Self.generator(kind: .gru, embedding: 8, layers: 1)
        let batch = try #require(GenerationBatch(generator: generator, capacity: 1))
        _ = try batch.add(try generator.encode(prefix: "time"), length: 3, sampling: SamplingOptions(strategy: .greedy), seed: 0, alternatives: 3)
        var tokens: [GenerationBatch.Token] = []
        for _ in 0..<6 { batch.step { if case let .token(t) = $0 { tokens.append(t) } } }
        #expect(tokens.count == 3)
        for token in tokens {
            let p = try #require(token.logProbability)
            #expect(p < 0 && token.alternatives.count == 3)
            #expect(zip(token.alternatives, token.alternatives.dropFirst()).allSatisfy { $0.logProbability >= $1.logProbability })
            // Greedy (with <unk> masked) picks the best token but <unk>.
            let best = try #require(token.alternatives.first { $0.token != Vocabulary.unknownToken })
            #expect(abs(best.logProbability - p) < 1e-12)
            #expect(token.alternatives.reduce(0) { $0 + exp($1.logProbability) } <= 1 + 1e-9)
        }
    }

    @Test func refusesWhatCannotRun() throws {
        let generator = try Self.generator(kind: .rnn, embedding: nil, layers: 1)
        let batch = try #require(GenerationBatch(generator: generator, capacity: 1))
        let prefix = try generator.encode(prefix: "time")
        #expect(throws: GenerationError.self) { try batch.add(prefix, length: 0, sampling: SamplingOptions(), seed: 0) }
        #expect(throws: GenerationError.self) { try batch.add(prefix, length: 3, sampling: SamplingOptions(temperature: -1), seed: 0) }
        _ = try batch.add(prefix, length: 3, sampling: SamplingOptions(), seed: 0)
        #expect(throws: GenerationError.self) { try batch.add(prefix, length: 3, sampling: SamplingOptions(), seed: 0) }
    }
}
