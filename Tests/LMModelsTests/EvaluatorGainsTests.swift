import Foundation
import Testing
import LMData
import LMSettings
@testable import LMModels

/// The test-time gains (``Evaluator/evaluate(_:on:steps:gains:)``): the cache pointer against a
/// direct computation, dynamic evaluation against a manual forward, backward and update.
@Suite struct EvaluatorGainsTests {
    static let vocabulary = 7

    func model(seed: UInt64 = 3, tied: Bool = false) throws -> RecurrentLM<Float> {
        var config = ModelConfig(kind: .lstm, vocabularySize: Self.vocabulary, embeddingSize: 5, hiddenSize: tied ? 5 : 6, layers: 2,
                                 initialization: .uniform(bound: 0.5))
        config.tied = tied
        var g = RandomGenerator(seed: seed)
        return try RecurrentLM<Float>(config: config, using: &g)
    }

    func stream(_ count: Int, seed: UInt64 = 9) throws -> TokenStream {
        var rng = SplitMix64(seed: seed)
        return try TokenStream(ids: randomTokens(count, vocabulary: Self.vocabulary, &rng), vocabularySize: Self.vocabulary)
    }

    func values(_ model: RecurrentLM<Float>) -> [[Float]] { model.parameters.map { $0.value.array } }

    @Test func noGainsAndAPointerWithLambdaZeroArePlainEvaluation() throws {
        let model = try model(), text = try stream(120)
        let plain = try Evaluator.evaluate(model, on: text, batch: 1, steps: 11)
        #expect(try Evaluator.evaluate(model, on: text, steps: 11, gains: EvaluationGains()) == plain)
        let pointer = try Evaluator.evaluate(model, on: text, steps: 11, gains: EvaluationGains(cachePointer: CachePointer(window: 20, theta: 1, lambda: 0)))
        #expect(pointer.tokens == plain.tokens)
        #expect(abs(pointer.loss - plain.loss) <= 1e-9 * plain.loss)
    }

    /// The pointer's loss is the mixture computed directly: the whole text in one window (the
    /// same predictions and top-layer outputs as the segments, to rounding), the model's
    /// softmax and the pointer's distribution over the whole vocabulary, in Double.
    @Test func pointerIsTheDirectMixture() throws {
        let model = try model(), count = 90, text = try stream(count)
        let settings = CachePointer(window: 8, theta: 0.7, lambda: 0.3)
        let measured = try Evaluator.evaluate(model, on: text, steps: 13, gains: EvaluationGains(cachePointer: settings))
        let ids = (0..<count).map { Int32(text[$0]) }, n = count - 1, v = Self.vocabulary
        model.resetState()
        _ = try model.forward(inputs: Array(ids[0..<n]), targets: Array(ids[1...n]), steps: n, batch: 1)
        let logits = model.logits.storage, top = model.cells[model.cells.count - 1], h = top.hiddenSize
        let outputs = Array(UnsafeBufferPointer(start: top.workspace.outputs, count: n * h)).map(Double.init)
        var sum = 0.0
        for k in 0..<n {
            let row = (0..<v).map { Double(logits[k * v + $0]) }, largest = row.max()!
            let exps = row.map { exp($0 - largest) }, total = exps.reduce(0, +)
            var p = exps.map { $0 / total }
            let first = max(0, k - settings.window)
            if k > first {
                let scores = (first..<k).map { i in settings.theta * (0..<h).reduce(0.0) { $0 + outputs[k * h + $1] * outputs[i * h + $1] } }
                let top = scores.max()!, weights = scores.map { exp($0 - top) }, norm = weights.reduce(0, +)
                var pointer = [Double](repeating: 0, count: v)
                for (j, i) in (first..<k).enumerated() { pointer[Int(ids[i + 1])] += weights[j] / norm }
                p = (0..<v).map { (1 - settings.lambda) * p[$0] + settings.lambda * pointer[$0] }
            }
            sum -= log(p[Int(ids[k + 1])])
        }
        #expect(measured.tokens == n)
        #expect(abs(measured.loss - sum / Double(n)) <= 1e-5 * measured.loss, "\(measured.loss) vs \(sum / Double(n))")
    }

    /// A model that predicts every token alike (zero head) and θ 0 (every earlier position
    /// alike): p(w) = (1 − λ)/V + λ · (share of the window followed by w), by hand.
    @Test func pointerOverAUniformModelCountsTheWindow() throws {
        let model = try model()
        for p in model.outputLayer.parameters { p.value.zero() }
        let text = try TokenStream(ids: [1, 1, 1, 2, 1], vocabularySize: Self.vocabulary)
        let gains = EvaluationGains(cachePointer: CachePointer(window: 2, theta: 0, lambda: 0.5))
        // Predictions: 1 (no window: 1/7), 1 (window {1}: 0.5/7 + 0.5), 2 (window {1, 1}: 0.5/7),
        // 1 (window {1, 2}: 0.5/7 + 0.25).
        let expected = -(log(1.0 / 7) + log(0.5 / 7 + 0.5) + log(0.5 / 7) + log(0.5 / 7 + 0.25)) / 4
        for steps in [1, 2, 4] {
            let result = try Evaluator.evaluate(model, on: text, steps: steps, gains: gains)
            #expect(abs(result.loss - expected) <= 1e-6, "steps \(steps): \(result.loss) vs \(expected)")
        }
    }

    @Test func aVanishingStepIsPlainEvaluationAndTheWeightsComeBack() throws {
        let model = try model(), text = try stream(100)
        let before = values(model)
        let plain = try Evaluator.evaluate(model, on: text, batch: 1, steps: 9)
        let dynamic = try Evaluator.evaluate(model, on: text, steps: 9, gains: EvaluationGains(dynamicEvaluation: DynamicEvaluation(learningRate: 1e-30)))
        #expect(dynamic.tokens == plain.tokens)
        #expect(abs(dynamic.loss - plain.loss) <= 1e-12 * plain.loss)
        let moved = try Evaluator.evaluate(model, on: text, steps: 9, gains: EvaluationGains(dynamicEvaluation: DynamicEvaluation(learningRate: 0.5)))
        #expect(moved.loss != plain.loss)
        #expect(values(model) == before)
        #expect(model.gradientStorage.array.allSatisfy { $0 == 0 })
    }

    /// Three segments by hand: each scored with the weights of the segments before it, the
    /// state carried, then θ ← θ + decay (θ₀ − θ) − lr ∇θ; tied and untied heads.
    @Test func eachSegmentIsScoredThenLearnedFrom() throws {
        for tied in [false, true] {
            let steps = 6, text = try stream(3 * steps + 1), ids = (0...(3 * steps)).map { Int32(text[$0]) }
            let settings = DynamicEvaluation(learningRate: 0.3, decay: 0.2)
            for pointer in [nil, CachePointer(window: 5, theta: 1, lambda: 0.2)] {
                let measured = try Evaluator.evaluate(try model(tied: tied), on: text, steps: steps,
                                                      gains: EvaluationGains(cachePointer: pointer, dynamicEvaluation: settings))
                let manual = try model(tied: tied), origin = values(manual)
                let cache = pointer.map { PointerCache(settings: $0, width: manual.cells[manual.cells.count - 1].hiddenSize, maxSteps: steps) }
                var sum = 0.0
                for s in 0..<3 {
                    let inputs = Array(ids[(s * steps)..<((s + 1) * steps)]), targets = Array(ids[(s * steps + 1)...((s + 1) * steps)])
                    manual.zeroGradients()
                    let loss = try manual.forward(inputs: inputs, targets: targets, steps: steps, batch: 1)
                    if let cache {
                        let logits = manual.logits.storage
                        sum += logits.withUnsafeBufferPointer { l in
                            targets.withUnsafeBufferPointer { t in
                                cache.segmentLoss(hidden: manual.cells[manual.cells.count - 1].workspace.outputs, logits: l.baseAddress!,
                                                  vocabulary: Self.vocabulary, targets: t.baseAddress!, steps: steps)
                            }
                        }
                    } else {
                        sum += loss * Double(steps)
                    }
                    try manual.backward()
                    for (p, theta0) in zip(manual.parameters, origin) {
                        for i in 0..<p.count {
                            p.value[i] += Float(settings.decay) * (theta0[i] - p.value[i]) - Float(settings.learningRate) * p.gradient[i]
                        }
                    }
                }
                #expect(measured.tokens == 3 * steps)
                #expect(abs(measured.loss - sum / Double(3 * steps)) <= 1e-6 * measured.loss, "tied \(tied), pointer \(pointer != nil)")
            }
        }
    }

    /// The decay alone (a zero gradient) moves θ a `decay` share of the way back to θ₀.
    @Test func decayPullsTowardTheTrainedWeights() throws {
        let model = try model()
        let origin = values(model)
        let update = DynamicUpdate(settings: DynamicEvaluation(learningRate: 1, decay: 0.25), parameters: model.parameters)
        for p in model.parameters { for i in 0..<p.count { p.value[i] += 1 } }
        model.zeroGradients()
        update.step()
        let deviation = zip(model.parameters, origin).map { p, theta0 in (0..<p.count).map { abs(p.value[$0] - (theta0[$0] + 0.75)) }.max() ?? 0 }.max() ?? 0
        #expect(deviation <= 1e-6)
        update.restore()
        #expect(values(model) == origin)
    }

    @Test func badGainsAreRefusedByKeyPath() throws {
        let model = try model(), text = try stream(20)
        #expect(throws: SettingsError.self) {
            try Evaluator.evaluate(model, on: text, steps: 5, gains: EvaluationGains(cachePointer: CachePointer(window: 0)))
        }
        #expect(throws: ModelError.tooFewTokens(1)) {
            try Evaluator.evaluate(model, on: TokenStream(ids: [1], vocabularySize: Self.vocabulary), steps: 5,
                                   gains: EvaluationGains(dynamicEvaluation: DynamicEvaluation(learningRate: 1)))
        }
    }
}
