import Foundation
import LMModelFiles
import LMSettings
import Testing
@testable import LMTraining

/// The time budget: its stop rule and estimates, the stop at a step boundary followed by
/// validation, test and saving, the time carried across a resume, and the schedules that
/// follow the run's progress. The clock is the trainer's own windows (10 s per training step,
/// evaluation free), so nothing depends on the machine's speed.
@Suite struct TimeBudgetTests {
    /// Makes the budget's clock read 10 s per training window this process trains, and drops
    /// the set-up's (real) seconds.
    static func useStepClock(_ trainer: Trainer) throws {
        let hook = try #require(trainer.timeBudget)
        let start = trainer.windowsDone
        hook.setUpSeconds = 0
        hook.clock = { [unowned trainer] in Double(trainer.windowsDone - start) * 10 }
    }

    /// A tiny run of `epochs` epochs with a budget of `seconds`.
    static func request(_ corpus: String, _ output: String, epochs: Int = 4, seconds: Double) -> TrainingFixtures.Request {
        var request = TrainingFixtures.request(corpus: corpus, output: output, epochs: epochs)
        request.training.timeBudget = seconds / 60
        return request
    }

    /// The newest checkpoint's state.
    static func newestState(_ run: String) throws -> (state: TrainerState, epoch: Int, batch: Int) {
        let newest = try #require(try CheckpointDirectory(directory: run + "/checkpoints").newest)
        let (_, metadata) = try SafeTensors.read(from: newest.path)
        return (try JSONDecoder().decode(TrainerState.self, from: Data(try #require(metadata["trainer"]).utf8)), newest.epoch, newest.batch)
    }

    @Test func theStopRuleLeavesRoomForTheNextStepAndTheClosing() {
        var budget = TimeBudget(seconds: 100)
        (budget.spent, budget.step, budget.epochClose, budget.test) = (80, 5, 4, 2)
        #expect(budget.closing == 6)
        #expect(!budget.runsOut(endsEpoch: false) && !budget.runsOut(endsEpoch: true))   // 91, 95
        budget.spent = 86
        #expect(!budget.runsOut(endsEpoch: false) && budget.runsOut(endsEpoch: true))    // 97; 101: the epoch's close would not fit
        budget.spent = 90
        #expect(budget.runsOut(endsEpoch: false))                                        // 101
        #expect(abs(budget.fraction - 90.0 / 94) < 1e-12)
        budget.spent = 200
        #expect(budget.fraction == 1)
        budget.spent = 0
        #expect(budget.fraction == 0)
        #expect(TimeBudget(seconds: 1, spent: 0, step: 0, epochClose: 2, test: 0).fraction == 1)
    }

    @Test func theClosingIsEstimatedFromTheStepsUntilAnEpochCloseIsMeasured() {
        var budget = TimeBudget(seconds: 100)
        budget.step = 2   // 0.2 s per token of a 10-token window
        budget.estimateClosing(measuredClose: nil, validationTokens: 100, testTokens: 50, windowTokens: 10)
        #expect(budget.epochClose == 20 && budget.test == 10)
        budget.estimateClosing(measuredClose: 3, validationTokens: 100, testTokens: 50, windowTokens: 10)
        #expect(budget.epochClose == 3 && budget.test == 1.5)
        budget.estimateClosing(measuredClose: 3, validationTokens: 0, testTokens: 50, windowTokens: 10)
        #expect(budget.epochClose == 3 && budget.test == 10)
        budget.estimateClosing(measuredClose: 3, validationTokens: 100, testTokens: 50, windowTokens: 10, gainsPerToken: 0.04)
        #expect(budget.epochClose == 3 && budget.test == 1.5 + 2)   // the test with the gains counts too
    }

    /// 10 s steps and a 65 s budget: after 6 steps (60 s) a 7th would end past it, so
    /// training stops there, mid-epoch; the epoch closes as the run's last: its report, the
    /// log line, the end checkpoint and model.safetensors, with the 60 s carried.
    @Test func theBudgetStopsAtAStepBoundaryAndTheRunEndsAsAFinishedOne() throws {
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        let run = try TrainingRun(Self.request(TrainingFixtures.corpus(), output, seconds: 65))
        try Self.useStepClock(run.trainer)
        #expect(run.trainer.sampler.batchesPerEpoch > 6)
        guard case .budgetSpent(let report?) = try run.trainer.train() else { Issue.record("not stopped on the budget"); return }
        #expect(report.epoch == 1 && report.stoppedAtBatch == 6)
        #expect(run.trainer.state.windowsTrained == 6 && run.trainer.state.epoch == 1 && run.trainer.state.batchInEpoch == 0)
        let log = try String(contentsOfFile: output + "/log.jsonl", encoding: .utf8)
        #expect(log.split(separator: "\n").count == 1 && log.contains("\"stopped_at_batch\":6"))
        #expect(FileManager.default.fileExists(atPath: output + "/model.safetensors"))
        let newest = try Self.newestState(output)
        #expect(newest.epoch == 1 && newest.batch == 0 && newest.state.timeSpent == 60)
    }

    /// A run stopped by its budget and resumed with no more time stops before any step, and
    /// the session still tests it and says so.
    @Test func aResumedRunWithNoTimeLeftDoesNotTrain() throws {
        let corpus = TrainingFixtures.corpus(), output = TrainingFixtures.temporaryDirectory() + "/run"
        var request = Self.request(corpus, output, seconds: 65)
        request.training.testFile = TrainingFixtures.corpus(lines: 4)
        let first = try TrainingRun(request)
        try Self.useStepClock(first.trainer)
        guard case .budgetSpent(let stopped?) = try first.trainer.train(), let batch = stopped.stoppedAtBatch else {
            Issue.record("not stopped on the budget"); return
        }
        let windows = try #require(first.trainer.state.windowsTrained)
        request.training.timeBudget = Double(windows) * 10 / 60   // exactly what was spent
        request.resume = true
        let run = try TrainingRun(request)
        try Self.useStepClock(run.trainer)
        let lines = TrainingRunTests.Lines()
        guard case .budgetSpent(let report?) = try TrainingSession(run, sample: nil).start(reporting: lines) else {
            Issue.record("trained on: \(lines.said)"); return
        }
        #expect(report.epoch == 1 && report.stoppedAtBatch == batch && run.trainer.state.windowsTrained == windows)
        #expect(lines.said.contains { $0.contains("no time left to train after epoch 1") })
        #expect(lines.said.contains { $0.hasPrefix("test perplexity") })
    }

    /// After a budget stop the session validates, tests and says where training stopped.
    @Test func aBudgetStopIsValidatedTestedAndReported() throws {
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        var request = Self.request(TrainingFixtures.corpus(), output, seconds: 200)
        request.training.validFile = TrainingFixtures.corpus(lines: 5)
        request.training.testFile = TrainingFixtures.corpus(lines: 4)
        let run = try TrainingRun(request)
        try Self.useStepClock(run.trainer)
        let lines = TrainingRunTests.Lines()
        guard case .budgetSpent(let report?) = try TrainingSession(run, sample: nil).start(reporting: lines) else {
            Issue.record("not stopped on the budget: \(lines.said)"); return
        }
        let batch = try #require(report.stoppedAtBatch)
        #expect(report.epoch == 1 && batch > 0 && batch < run.trainer.sampler.batchesPerEpoch && report.validationPerplexity != nil)
        #expect(lines.said.contains { $0.contains("time budget") && $0.contains("stopped after batch \(batch) of epoch 1") })
        #expect(lines.said.contains { $0.hasPrefix("done: 1 epochs") && $0.contains("validation") })
        #expect(lines.said.contains { $0.hasPrefix("test perplexity") })
        #expect(FileManager.default.fileExists(atPath: output + "/model.safetensors"))
    }

    /// A run whose final test adds the evaluation gains measures that pass before training,
    /// on the validation text, so the budget keeps room for it; without gains nothing is
    /// measured.
    @Test func theTestWithTheGainsIsMeasuredBeforeTraining() throws {
        var request = Self.request(TrainingFixtures.corpus(), TrainingFixtures.temporaryDirectory() + "/run", seconds: 200)
        request.training.validFile = TrainingFixtures.corpus(lines: 5)
        request.training.testFile = TrainingFixtures.corpus(lines: 4)
        let plain = try #require(try TrainingRun(request).trainer.timeBudget)
        #expect(plain.gainsSecondsPerToken == 0)
        request.output = TrainingFixtures.temporaryDirectory() + "/run"
        request.training.gains = EvaluationGains(cachePointer: CachePointer(window: 20, theta: 1, lambda: 0.1))
        let run = try TrainingRun(request)
        let hook = try #require(run.trainer.timeBudget)
        #expect(hook.gainsSecondsPerToken > 0)
        let tokens = hook.testTokens
        #expect(tokens > 0)
        _ = try hook.runsOut(endsEpoch: false, run.trainer)
        #expect(hook.budget.test >= hook.gainsSecondsPerToken * Double(tokens))
    }

    /// One epoch of N 10-s steps carries 10·N s; resumed with 10·N + 65 s, the run trains 6
    /// more steps (of epoch 2) and stops.
    @Test func aResumedRunContinuesWithWhatIsLeft() throws {
        let corpus = TrainingFixtures.corpus(), output = TrainingFixtures.temporaryDirectory() + "/run"
        let first = try TrainingRun(Self.request(corpus, output, epochs: 1, seconds: 1e6))
        try Self.useStepClock(first.trainer)
        guard case .finished = try first.trainer.train() else { Issue.record("the first part ran out of time"); return }
        let perEpoch = first.trainer.sampler.batchesPerEpoch
        #expect(try Self.newestState(output).state.timeSpent == Double(10 * perEpoch))

        var resumed = Self.request(corpus, output, epochs: 4, seconds: Double(10 * perEpoch) + 65)
        resumed.resume = true
        let run = try TrainingRun(resumed)
        #expect(run.trainer.completedEpochs == 1)
        try Self.useStepClock(run.trainer)
        guard case .budgetSpent(let report?) = try run.trainer.train() else { Issue.record("not stopped on the budget"); return }
        #expect(report.epoch == 2 && report.stoppedAtBatch == 6)
        #expect(run.trainer.state.windowsTrained == UInt64(perEpoch + 6))
        #expect(try Self.newestState(output).state.timeSpent == Double(10 * (perEpoch + 6)))
    }

    /// A budget that is not reached changes nothing: the same weights as without one.
    @Test func anUnreachedBudgetTrainsTheSameWeights() throws {
        let corpus = TrainingFixtures.corpus()
        var outputs: [String] = []
        for budget in [nil, 1e6] as [Double?] {
            let output = TrainingFixtures.temporaryDirectory() + "/run"
            var request = TrainingFixtures.request(corpus: corpus, output: output, epochs: 2)
            request.training.timeBudget = budget
            guard case .finished = try TrainingRun(request).trainer.train() else { Issue.record("stopped early"); return }
            outputs.append(output)
        }
        let weights = outputs.map { FileManager.default.contents(atPath: $0 + "/model.safetensors") }
        #expect(weights[0] != nil && weights[0] == weights[1])
    }

    /// `linear` follows the budget: the rate set after the 6th step is from the time spent at
    /// the 5th step's check, 50 s of the 65 s budget (nothing to close).
    @Test func aScheduleFollowsTheBudget() throws {
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        var request = Self.request(TrainingFixtures.corpus(), output, seconds: 65)
        request.training.schedule = .linear(floor: 0, warmup: 0)
        request.training.lr = 2
        let run = try TrainingRun(request)
        try Self.useStepClock(run.trainer)
        guard case .budgetSpent(let report?) = try run.trainer.train() else { Issue.record("not stopped on the budget"); return }
        #expect(report.stoppedAtBatch == 6)
        #expect(abs(report.learningRate - 2 * (1 - 50.0 / 65)) < 1e-12)
    }

    /// Without a budget `linear` follows the steps of `epochs` epochs: the rate after epoch e
    /// of 4 is lr · (1 − e/4).
    @Test func withoutABudgetAScheduleFollowsTheEpochs() throws {
        let output = TrainingFixtures.temporaryDirectory() + "/run"
        var request = TrainingFixtures.request(corpus: TrainingFixtures.corpus(), output: output, epochs: 4)
        request.training.schedule = .linear(floor: 0, warmup: 0)
        request.training.lr = 2
        _ = try TrainingRun(request).trainer.train()
        let rates = try String(contentsOfFile: output + "/log.jsonl", encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(EpochReport.self, from: Data($0.utf8)).learningRate
        }
        #expect(rates.count == 4)
        for (rate, expected) in zip(rates, [1.5, 1, 0.5, 0]) { #expect(abs(rate - expected) < 1e-12, "\(rates)") }
    }

    /// A run with `cosine` by epochs resumed from its epoch-4 checkpoint ends with the weights
    /// of the straight run: the schedule continues where it stopped.
    @Test(arguments: [LearningRateSchedule.cosine(floor: 0.1, warmup: 0.2), .linear(floor: 0, warmup: 0.1)])
    func aProgressScheduleResumesExactly(schedule: LearningRateSchedule) throws {
        let corpus = TrainingFixtures.corpus()
        let straight = TrainingFixtures.temporaryDirectory() + "/run"
        var request = TrainingFixtures.request(corpus: corpus, output: straight, epochs: 6)
        request.training.schedule = schedule
        _ = try TrainingRun(request).trainer.train()
        let split = TrainingFixtures.temporaryDirectory() + "/run"
        try FileManager.default.copyItem(atPath: straight, toPath: split)
        for later in try CheckpointDirectory(directory: split + "/checkpoints").all() where later.epoch > 4 {
            try FileManager.default.removeItem(atPath: later.path)
        }
        request.output = split
        request.resume = true
        let run = try TrainingRun(request)
        #expect(run.trainer.completedEpochs == 4)
        _ = try run.trainer.train()
        let a = FileManager.default.contents(atPath: straight + "/model.safetensors")
        #expect(a != nil && a == FileManager.default.contents(atPath: split + "/model.safetensors"))
    }
}
