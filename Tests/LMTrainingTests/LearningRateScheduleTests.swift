import Foundation
import LMData
import LMModelFiles
import LMSettings
import Testing
@testable import LMTraining

@Suite struct LearningRateScheduleTests {
    /// The rates of epochs 1…`epochs`, feeding the stateful schedules `metrics` (one per epoch).
    func rates(_ schedule: LearningRateSchedule, base: Double = 1, epochs: Int, metrics: [Double] = []) -> [Double] {
        var state: ScheduleState? = nil
        var result: [Double] = []
        for epoch in 1...epochs {
            result.append(schedule.rate(epoch: epoch, base: base, state: state))
            state = schedule.state(after: epoch, metric: metrics.isEmpty ? 100 : metrics[epoch - 1], base: base, state: state)
        }
        return result
    }

    @Test func stepIsTheOldDecayBitForBit() {
        let old = TrainingOptions.Decay(factor: 0.5, every: 2)
        let seen = rates(.step(factor: 0.5, every: 2), base: 0.7, epochs: 7)
        // The expression Trainer used before schedules, with the 0-based completed epoch count.
        let before = (0..<7).map { 0.7 * pow(old.factor, Double($0 / old.every)) }
        #expect(seen == before)
        #expect(seen == [0.7, 0.7, 0.35, 0.35, 0.175, 0.175, 0.0875])
    }

    @Test func afterIsZarembaSmall() {
        // TF ptb_word_lm: lr_decay = 0.5 ** max(i + 1 - 4, 0) for 0-based epoch i.
        #expect(rates(.after(epochs: 4, factor: 0.5), epochs: 7) == [1, 1, 1, 1, 0.5, 0.25, 0.125])
        #expect(rates(.after(epochs: 0, factor: 0.5), epochs: 3) == [0.5, 0.25, 0.125])
    }

    @Test func exponentialIsCharRNNs() {
        // char-rnn: after epoch k ≥ 10 ends, learningRate = learningRate * 0.97.
        let seen = rates(.exponential(from: 10, factor: 0.97), base: 2e-3, epochs: 13)
        var expected = [Double](repeating: 2e-3, count: 10)
        var rate = 2e-3
        for _ in 0..<3 { rate = rate * 0.97; expected.append(rate) }
        #expect(seen == expected)
        #expect(seen[10] == 2e-3 * 0.97 && seen[9] == 2e-3)
    }

    @Test func plateauWithPatienceZeroIsPyTorchsExample() {
        // word_language_model: lr /= 4 after every epoch whose val loss is not below the best.
        let metrics: [Double] = [300, 200, 210, 190, 190, 180, 185]
        let seen = rates(.plateau(factor: 0.25, patience: 0), base: 20, epochs: 8, metrics: metrics + [0])
        #expect(seen == [20, 20, 20, 5, 5, 1.25, 1.25, 0.3125])
    }

    @Test func plateauWithPatienceCountsBadEpochsInARow() {
        // patience 1: a cut after the second bad epoch in a row; an improvement resets the count.
        let metrics: [Double] = [100, 110, 90, 95, 96, 97, 98, 80]
        let seen = rates(.plateau(factor: 0.5, patience: 1), epochs: 9, metrics: metrics + [0])
        #expect(seen == [1, 1, 1, 1, 1, 0.5, 0.5, 0.25, 0.25])
        var state: ScheduleState? = nil
        for (epoch, metric) in metrics.prefix(5).enumerated() {
            state = LearningRateSchedule.plateau(factor: 0.5, patience: 1).state(after: epoch + 1, metric: metric, base: 1, state: state)
        }
        #expect(state == ScheduleState(rate: 0.5, best: 90, badEpochs: 0))
    }

    @Test func statelessSchedulesCarryNoState() {
        #expect(LearningRateSchedule.after(epochs: 4, factor: 0.5).state(after: 5, metric: 1, base: 1, state: nil) == nil)
        #expect(LearningRateSchedule.step(factor: 0.5, every: 1).state(after: 5, metric: 1, base: 1, state: nil) == nil)
    }

    @Test func parsingReadsEachFormAndRejectsTheRest() {
        #expect(LearningRateSchedule(parsing: "step:0.5:2") == .step(factor: 0.5, every: 2))
        #expect(LearningRateSchedule(parsing: "after:4:0.5") == .after(epochs: 4, factor: 0.5))
        #expect(LearningRateSchedule(parsing: "exponential:10:0.97") == .exponential(from: 10, factor: 0.97))
        #expect(LearningRateSchedule(parsing: "plateau:0.25") == .plateau(factor: 0.25, patience: 0))
        #expect(LearningRateSchedule(parsing: "plateau:0.25:3") == .plateau(factor: 0.25, patience: 3))
        for text in ["", "after", "after:4", "after:0.5:4", "after:4:0.5:1", "step:0.5", "step:0.5:1.5", "plateau",
                     "plateau:x", "plateau:0.25:", "exponential:10", "sine:1:2", "after:4:half"] {
            #expect(LearningRateSchedule(parsing: text) == nil, "\(text)")
        }
        for schedule in [LearningRateSchedule.step(factor: 0.5, every: 2), .after(epochs: 4, factor: 0.5),
                         .exponential(from: 10, factor: 0.97), .plateau(factor: 0.25, patience: 2)] {
            #expect(LearningRateSchedule(parsing: schedule.text) == schedule)
        }
    }

    /// `cosine` and `linear` at known fractions of the run: warm-up from 0, then from the base
    /// rate to its floor, clamped outside [0, 1]; the epoch schedules have no rate by progress.
    @Test func progressSchedulesAtKnownFractions() throws {
        let tolerance = 1e-12
        func rate(_ schedule: LearningRateSchedule, _ p: Double, base: Double = 2) throws -> Double {
            try #require(schedule.rate(progress: p, base: base))
        }
        let cosine = LearningRateSchedule.cosine(floor: 0, warmup: 0)
        for (p, expected) in [(0.0, 2.0), (0.25, 1 + sqrt(0.5)), (0.5, 1.0), (0.75, 1 - sqrt(0.5)), (1.0, 0.0), (1.5, 0.0), (-1.0, 2.0)] {
            #expect(abs(try rate(cosine, p) - expected) < tolerance, "cosine at \(p)")
        }
        let linear = LearningRateSchedule.linear(floor: 0.1, warmup: 0)
        for (p, expected) in [(0.0, 2.0), (0.5, 2 * (0.1 + 0.9 * 0.5)), (1.0, 0.2)] {
            #expect(abs(try rate(linear, p) - expected) < tolerance, "linear at \(p)")
        }
        // Warm-up over the first 20 %: 0 → base, then the decay over the remaining 80 %.
        let warm = LearningRateSchedule.linear(floor: 0, warmup: 0.2)
        for (p, expected) in [(0.0, 0.0), (0.1, 1.0), (0.2, 2.0), (0.6, 1.0), (1.0, 0.0)] {
            #expect(abs(try rate(warm, p) - expected) < tolerance, "warm linear at \(p)")
        }
        let warmCosine = LearningRateSchedule.cosine(floor: 0.5, warmup: 0.5)
        let (early, late) = (try rate(warmCosine, 0.25), try rate(warmCosine, 0.75))
        #expect(abs(early - 1) < tolerance && abs(late - 1.5) < tolerance)
        for schedule in [LearningRateSchedule.step(factor: 0.5, every: 2), .after(epochs: 4, factor: 0.5),
                         .exponential(from: 10, factor: 0.97), .plateau(factor: 0.25, patience: 0)] {
            #expect(schedule.rate(progress: 0.5, base: 1) == nil && !schedule.followsProgress)
        }
        #expect(cosine.followsProgress && linear.followsProgress && !cosine.isStateful)
        #expect(cosine.state(after: 3, metric: 1, base: 1, state: nil) == nil)
    }

    @Test func progressSchedulesParseAndRoundTrip() {
        #expect(LearningRateSchedule(parsing: "cosine") == .cosine(floor: 0, warmup: 0))
        #expect(LearningRateSchedule(parsing: "cosine:0.1") == .cosine(floor: 0.1, warmup: 0))
        #expect(LearningRateSchedule(parsing: "linear:0:0.05") == .linear(floor: 0, warmup: 0.05))
        for text in ["cosine:", "cosine:x", "linear:0:0:0", "linear:0:y"] {
            #expect(LearningRateSchedule(parsing: text) == nil, "\(text)")
        }
        for schedule in [LearningRateSchedule.cosine(floor: 0.1, warmup: 0.02), .linear(floor: 0, warmup: 0)] {
            #expect(LearningRateSchedule(parsing: schedule.text) == schedule)
        }
    }

    @Test func progressSchedulesRejectFloorsAndWarmUpsOutsideTheUnitInterval() {
        var options = TrainingOptions(corpus: "x")
        // "cosine:1:2", an unknown form before these schedules, now reads and is refused here.
        for bad in [LearningRateSchedule(parsing: "cosine:1:2")!, .cosine(floor: 1, warmup: 0), .cosine(floor: -0.1, warmup: 0), .linear(floor: 0, warmup: 1),
                    .linear(floor: .nan, warmup: 0), .cosine(floor: 0, warmup: -0.5)] {
            options.schedule = bad
            #expect(throws: SettingsError.self) { try options.validate() }
            do { try options.validate() } catch let error as SettingsError { #expect(error.key == "schedule") } catch { Issue.record("\(error)") }
        }
        options.schedule = .cosine(floor: 0.99, warmup: 0.5)
        #expect(throws: Never.self) { try options.validate() }
    }

    @Test func optionsRejectFactorsAndPeriodsThatCannotWork() {
        var options = TrainingOptions(corpus: "x")
        for bad in [LearningRateSchedule.after(epochs: 4, factor: 0), .after(epochs: 4, factor: 1.5), .after(epochs: -1, factor: 0.5),
                    .step(factor: 0.5, every: 0), .plateau(factor: 0.25, patience: -1), .exponential(from: -2, factor: 0.9)] {
            options.schedule = bad
            #expect(throws: SettingsError.self) { try options.validate() }
        }
        options.schedule = .after(epochs: 4, factor: 0.5)
        #expect(throws: Never.self) { try options.validate() }
        options.decay = TrainingOptions.Decay(factor: 0.5, every: 2)
        #expect(throws: SettingsError.self) { try options.validate() }
    }

    @Test func oldConfigDecayReadsAsStep() throws {
        var options = TrainingOptions(corpus: "x")
        options.decay = TrainingOptions.Decay(factor: 0.5, every: 3)
        let json = try JSONEncoder().encode(options)
        #expect(!String(decoding: json, as: UTF8.self).contains("schedule"))
        let decoded = try JSONDecoder().decode(TrainingOptions.self, from: json)
        #expect(decoded.schedule == nil && decoded.learningRateSchedule == .step(factor: 0.5, every: 3))
        options.decay = nil
        options.schedule = .plateau(factor: 0.25, patience: 0)
        #expect(try JSONDecoder().decode(TrainingOptions.self, from: try JSONEncoder().encode(options)) == options)
    }
}

@Suite struct TrainerStateCompatibilityTests {
    @Test func stateWithoutTheNewFieldsEncodesAsBeforeAndOldJSONLoads() throws {
        let position = #"{"batchIndex":0,"batchSize":4,"epoch":3,"isNewEpoch":true,"offset":2,"steps":6,"tokenCount":2844}"#
        var state = TrainerState(sampler: .sequential(try JSONDecoder().decode(SequentialSampler.State.self, from: Data(position.utf8))),
                                 learningRate: 1, optimizer: .sgd)
        state.epoch = 3
        state.elapsed = 1
        state.bestPerplexity = 5
        state.bestEpoch = 2
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(state), as: UTF8.self)
        #expect(!json.contains("schedule") && !json.contains("averaging"))
        // A checkpoint's trainer state as LMKit wrote it before schedules (and before typed state).
        let old = #"{"batchInEpoch":0,"bestEpoch":2,"bestPerplexity":5,"elapsed":1,"epoch":3,"learningRate":1,"lossSum":0,"optimizerScalars":{},"sampler":"{\"batchIndex\":0,\"batchSize\":4,\"epoch\":3,\"isNewEpoch\":true,\"offset\":2,\"steps\":6,\"tokenCount\":2844}","tokenCount":0}"#
        #expect(try JSONDecoder().decode(LegacyTrainerState.self, from: Data(old.utf8)).upgraded(like: state) == state)
        var later = state
        later.schedule = ScheduleState(rate: 0.25, best: 4, badEpochs: 1)
        later.averaging = AveragingState(history: [9, 8], triggerEpoch: 3, updates: 7)
        #expect(try JSONDecoder().decode(TrainerState.self, from: try encoder.encode(later)) == later)
    }

    @Test func optionsWithoutTheNewFieldsEncodeAsBefore() throws {
        let json = String(decoding: try JSONEncoder().encode(TrainingOptions(corpus: "x")), as: UTF8.self)
        for key in ["schedule", "weightDecay", "asgdNonmonotone"] { #expect(!json.contains(key), "\(key)") }
    }

    @Test func plateauAndASGDSayWhenTheyWatchTraining() {
        var options = TrainingOptions(corpus: "x")
        #expect(TrainingSession.validationUser(options) == nil)
        options.schedule = .plateau(factor: 0.25, patience: 0)
        #expect(TrainingSession.validationUser(options) == "schedule plateau")
        options.schedule = nil
        options.asgdNonmonotone = 5
        #expect(TrainingSession.validationUser(options) == "optimizer.asgd")
    }
}
