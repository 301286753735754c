import Testing
@testable import LMGeneration

@Suite struct SamplingOptionsTests {
    /// The message `validate()` throws, or nil when the options are valid.
    func failure(_ options: SamplingOptions) -> String? {
        do {
            try options.validate()
            return nil
        } catch let error as GenerationError {
            guard case .invalidSetting(let message) = error else { return "unexpected \(error)" }
            return message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func theStrategyFollowsFromTheOptionsGiven() {
        #expect(SamplingOptions().resolvedStrategy == .greedy)
        #expect(SamplingOptions(temperature: 0.5).resolvedStrategy == .temperature)
        #expect(SamplingOptions(alpha: 2).resolvedStrategy == .alpha)
        #expect(SamplingOptions(temperature: 0.5, topK: 3).resolvedStrategy == .topK)
        #expect(SamplingOptions(topK: 3, topP: 0.9).resolvedStrategy == .topP)
        #expect(SamplingOptions(strategy: .temperature, topP: 0.9).resolvedStrategy == .temperature)
    }

    @Test func eachStrategyResolvesToItsSampler() throws {
        #expect(try SamplingOptions().sampler() is Greedy)
        #expect((try SamplingOptions(temperature: 0.8).sampler() as? Temperature)?.temperature == 0.8)
        #expect((try SamplingOptions(strategy: .temperature).sampler() as? Temperature)?.temperature == 1)
        #expect((try SamplingOptions(alpha: 4).sampler() as? AlphaSharpening)?.alpha == 4)
        let topK = try #require(try SamplingOptions(topK: 5).sampler() as? TopK)
        #expect(topK.k == 5 && topK.temperature == 1)
        let topP = try #require(try SamplingOptions(temperature: 0.7, topK: 4, topP: 0.9).sampler() as? TopP)
        #expect(topP.p == 0.9 && topP.temperature == 0.7 && topP.topK == 4)
    }

    /// α scales as temperature 1/α before a cut.
    @Test func alphaBeforeACutIsTemperatureOneOverAlpha() throws {
        let topK = try #require(try SamplingOptions(alpha: 2, topK: 5).sampler() as? TopK)
        #expect(topK.temperature == 0.5)
        let topP = try #require(try SamplingOptions(alpha: 4, topP: 0.5).sampler() as? TopP)
        #expect(topP.temperature == 0.25 && topP.topK == nil)
    }

    @Test func onlyRandomStrategiesDraw() {
        #expect(!SamplingOptions().drawsRandomly)
        #expect(!SamplingOptions(alpha: .infinity).drawsRandomly)
        #expect(SamplingOptions(alpha: 2).drawsRandomly)
        #expect(SamplingOptions(temperature: 1).drawsRandomly)
        #expect(SamplingOptions(topK: 1).drawsRandomly)
    }

    @Test func valuesOutOfRangeAreRefused() {
        #expect(failure(SamplingOptions(temperature: 0)) == "sampling.temperature must be positive and finite (got 0.0); use sampling.strategy greedy for T → 0")
        #expect(failure(SamplingOptions(temperature: .infinity))?.hasPrefix("sampling.temperature must be positive and finite") == true)
        #expect(failure(SamplingOptions(alpha: -1)) == "sampling.alpha must be ≥ 0 (got -1.0); α > 1 sharpens, inf is greedy")
        #expect(failure(SamplingOptions(alpha: .nan))?.hasPrefix("sampling.alpha must be ≥ 0") == true)
        #expect(failure(SamplingOptions(topK: 0)) == "sampling.topK must be ≥ 1 (got 0)")
        #expect(failure(SamplingOptions(topP: 0)) == "sampling.topP must be in (0, 1] (got 0.0)")
        #expect(failure(SamplingOptions(topP: 1.5)) == "sampling.topP must be in (0, 1] (got 1.5)")
        #expect(failure(SamplingOptions(topP: 1)) == nil)
        #expect(failure(SamplingOptions(alpha: 0)) == nil)
        #expect(failure(SamplingOptions(alpha: .infinity)) == nil)
    }

    @Test func combinationsWithoutMeaningAreRefused() {
        #expect(failure(SamplingOptions(temperature: 1, alpha: 1)) == "give sampling.temperature or sampling.alpha, not both (α is temperature 1/α)")
        for (options, name) in [(SamplingOptions(strategy: .greedy, temperature: 1), "sampling.temperature"),
                                (SamplingOptions(strategy: .greedy, alpha: 1), "sampling.alpha"),
                                (SamplingOptions(strategy: .greedy, topK: 2), "sampling.topK"),
                                (SamplingOptions(strategy: .greedy, topP: 0.5), "sampling.topP")] {
            #expect(failure(options) == "\(name) has no effect with sampling.strategy greedy")
        }
        #expect(failure(SamplingOptions(strategy: .temperature, alpha: 2)) == "sampling.alpha applies to sampling.strategy alpha (α is temperature 1/α)")
        #expect(failure(SamplingOptions(strategy: .temperature, topK: 2))
                == "sampling.topK/sampling.topP need sampling.strategy top-k or top-p (the temperature is applied first)")
        #expect(failure(SamplingOptions(strategy: .temperature, topP: 0.5))
                == "sampling.topK/sampling.topP need sampling.strategy top-k or top-p (the temperature is applied first)")
        #expect(failure(SamplingOptions(strategy: .alpha)) == "sampling.strategy alpha needs sampling.alpha A")
        #expect(failure(SamplingOptions(strategy: .alpha, alpha: 2, topK: 3))
                == "sampling.topK/sampling.topP need sampling.strategy top-k or top-p (with sampling.alpha, applied first)")
        for strategy in [SamplingOptions.Strategy.topK, .topP] {
            for alpha in [0.0, .infinity] {
                #expect(failure(SamplingOptions(strategy: strategy, alpha: alpha, topK: 3, topP: 0.5))
                        == "with sampling.topK/sampling.topP, sampling.alpha must be positive and finite (it scales as temperature 1/α)")
            }
        }
        #expect(failure(SamplingOptions(strategy: .topK)) == "sampling.strategy top-k needs sampling.topK K")
        #expect(failure(SamplingOptions(strategy: .topK, topK: 3, topP: 0.5)) == "sampling.topP needs sampling.strategy top-p (sampling.topK then cuts first)")
        #expect(failure(SamplingOptions(strategy: .topP)) == "sampling.strategy top-p needs sampling.topP P")
        #expect(failure(SamplingOptions(strategy: .topP, temperature: 0.5, topK: 3, topP: 0.5)) == nil)
    }

    /// Beam search: chosen by --beams, validated like the rest, handed to `useBeam` (it has no sampler).
    @Test func beamSearchIsItsOwnStrategy() throws {
        #expect(SamplingOptions(beams: 4).resolvedStrategy == .beam)
        #expect(SamplingOptions(topP: 0.9, beams: 4).resolvedStrategy == .beam)
        #expect(!SamplingOptions(beams: 4).drawsRandomly)
        #expect(SamplingOptions(beams: 4, lengthPenalty: 0.6, stopAtEOS: true).beamSearch
                == BeamSearch(beams: 4, lengthPenalty: 0.6, stopAtEndOfSequence: true))
        #expect(SamplingOptions(strategy: .beam, beams: 2).beamSearch == BeamSearch(beams: 2))
        #expect(SamplingOptions(temperature: 1).beamSearch == nil)
        #expect(failure(SamplingOptions(beams: 1)) == nil && failure(SamplingOptions(beams: 64, lengthPenalty: 0)) == nil)
        #expect(failure(SamplingOptions(beams: 0)) == "sampling.beams must be in 1...64 (got 0)")
        #expect(failure(SamplingOptions(beams: 65)) == "sampling.beams must be in 1...64 (got 65)")
        #expect(failure(SamplingOptions(beams: 2, lengthPenalty: -0.5))
                == "sampling.lengthPenalty must be finite and ≥ 0 (got -0.5); 0 ranks by probability, 1 by the mean per token")
        #expect(failure(SamplingOptions(beams: 2, lengthPenalty: .nan))?.hasPrefix("sampling.lengthPenalty must be finite") == true)
        #expect(failure(SamplingOptions(strategy: .beam)) == "sampling.strategy beam needs sampling.beams K")
        for (options, name) in [(SamplingOptions(temperature: 0.8, beams: 2), "sampling.temperature"),
                                (SamplingOptions(alpha: 2, beams: 2), "sampling.alpha"),
                                (SamplingOptions(topK: 3, beams: 2), "sampling.topK"),
                                (SamplingOptions(topP: 0.5, beams: 2), "sampling.topP")] {
            #expect(failure(options) == "\(name) has no effect with sampling.strategy beam (it keeps the most likely continuations; it draws nothing)")
        }
        for (options, name) in [(SamplingOptions(strategy: .greedy, beams: 2), "sampling.beams"),
                                (SamplingOptions(lengthPenalty: 1), "sampling.lengthPenalty"),
                                (SamplingOptions(temperature: 1, stopAtEOS: true), "sampling.stopAtEOS")] {
            #expect(failure(options) == "\(name) applies to sampling.strategy beam")
        }
        #expect(throws: GenerationError.invalidSetting("sampling.strategy beam chooses whole sequences; it has no per-token sampler")) {
            try SamplingOptions(beams: 2).sampler()
        }
        #expect(throws: GenerationError.self) { try SamplingOptions(beams: 0).sampler() }
    }

    @Test func aSamplerIsNeverBuiltFromInvalidOptions() {
        #expect(throws: GenerationError.self) { try SamplingOptions(strategy: .alpha).sampler() }
        #expect(throws: GenerationError.self) { try SamplingOptions(strategy: .topK).sampler() }
    }

    @Test func requestsCheckThePrefixLengthAndSamplesFirst() {
        func message(_ request: GenerationRequest) -> String? {
            do { try request.validate(); return nil } catch { return "\(error)" }
        }
        #expect(message(GenerationRequest(prefix: "")) == "generation.prefix is empty; generation starts from the prefix's last token, so give at least one")
        #expect(message(GenerationRequest(prefix: "a", length: -1)) == "generation.length must be ≥ 0 (got -1)")
        #expect(message(GenerationRequest(prefix: "a", samples: 0)) == "generation.samples must be ≥ 1 (got 0)")
        #expect(message(GenerationRequest(prefix: "a", sampling: SamplingOptions(topK: 0))) == "sampling.topK must be ≥ 1 (got 0)")
        #expect(message(GenerationRequest(prefix: "a", length: 0)) == nil)
        #expect(message(GenerationRequest(prefix: "a", sampling: SamplingOptions(beams: 2), samples: 3))
                == "generation.samples (3) must be ≤ sampling.beams (2): with sampling.strategy beam it prints the N best hypotheses")
        #expect(message(GenerationRequest(prefix: "a", sampling: SamplingOptions(beams: 3), samples: 3)) == nil)
    }
}
