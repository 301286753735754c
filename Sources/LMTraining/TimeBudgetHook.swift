import LMData
import LMModelFiles
import LMModels
import LMSettings
import LMTensor

/// The run's time budget (`run.timeBudget`): measures the wall time on the monotonic clock
/// (this process's set-up, then every step and epoch close), carries what was spent in the
/// checkpoints (``TrainerState/timeSpent``, so a resumed run continues with what is left), and
/// decides after every step whether training stops (``Trainer/budgetRunsOut()``). Estimates
/// the closing evaluation from the last epoch's close (``TimeBudget``).
final class TimeBudgetHook: TrainingHook {
    private(set) var budget: TimeBudget
    /// Seconds on a clock that never steps back; tests replace it.
    var clock: () -> Double = MonotonicClock.seconds
    /// This process's set-up before training (corpus, vocabulary, model), counted as spent.
    var setUpSeconds = 0.0
    /// Tokens of the test text evaluated after training (0 for none).
    var testTokens = 0
    /// Seconds per token of the final test's pass with the evaluation gains (0 for none),
    /// measured before training (``TrainingRun``).
    var gainsSecondsPerToken = 0.0
    let validationTokens: Int
    /// Target tokens of one training step (batch × steps).
    let windowTokens: Int
    /// Spent before this process's training started (set-up included).
    private var spentBefore = 0.0
    /// The clock when this process's training started, when the current epoch's first step
    /// started, and at the last check.
    private var origin = 0.0, epochOrigin = 0.0, lastCheck = 0.0
    /// Steps of the current epoch done by this process.
    private var epochSteps = 0
    /// The last epoch close measured.
    private var measuredClose: Double?

    /// A budget of `seconds`.
    init(seconds: Double, validationTokens: Int, windowTokens: Int) {
        budget = TimeBudget(seconds: seconds)
        self.validationTokens = validationTokens
        self.windowTokens = windowTokens
    }

    /// Measures the final test's pass with `gains` (``gainsSecondsPerToken``) on the first
    /// 2,000 tokens of `stream` (the validation text, which the test's speed per token shares);
    /// `model` is left as it was.
    func measureGains(_ gains: EvaluationGains, model: RecurrentLM<Float>, on stream: TokenStream, steps: Int) throws {
        let probe = stream.prefix(maxTokens: 2000)
        guard !gains.isNone, probe.count >= 2 else { return }
        let start = clock()
        _ = try Evaluator.evaluate(model, on: probe, steps: steps, gains: gains)
        gainsSecondsPerToken = (clock() - start) / Double(probe.count - 1)
    }

    /// Wall seconds spent so far (``TrainerState/timeSpent``, else the training seconds of
    /// a run that had no budget before, plus this process's).
    private func spentNow() -> Double { spentBefore + clock() - origin }

    /// Starts this process's count; until its first step, a step lasts what the last epoch's
    /// rate gives (so a resumed run with no time left stops before training).
    func trainingStarted(_ trainer: Trainer) throws {
        if let rate = trainer.log.log.reports.last?.tokensPerSecond, rate > 0 { budget.step = Double(windowTokens) / rate }
        spentBefore = (trainer.state.timeSpent ?? trainer.state.elapsed) + setUpSeconds
        origin = clock()
        lastCheck = origin
        epochOrigin = origin
    }

    /// Measures the close of the epoch before (from the check after its last step).
    func epochStarted(_ trainer: Trainer) {
        let now = clock()
        if epochSteps > 0 && trainer.state.batchInEpoch == 0 { measuredClose = now - lastCheck }
        epochOrigin = now
        epochSteps = 0
    }

    func stepFinished(_ trainer: Trainer) {
        epochSteps += 1
    }

    func saving(_ state: inout TrainerState, tensors: inout [SafeTensors.Tensor], _ trainer: Trainer) {
        state.timeSpent = spentNow()
    }

    /// Brings the budget up to date (agreed across the ranks of a data-parallel run) and says
    /// whether training stops after the step just done (which ended its epoch when `endsEpoch`).
    func runsOut(endsEpoch: Bool, _ trainer: Trainer) throws -> Bool {
        let now = clock()
        lastCheck = now
        budget.spent = spentBefore + now - origin
        if epochSteps > 0 { budget.step = (now - epochOrigin) / Double(epochSteps) }
        budget.estimateClosing(measuredClose: measuredClose, validationTokens: validationTokens, testTokens: testTokens,
                               windowTokens: windowTokens, gainsPerToken: gainsSecondsPerToken)
        if let parallel = trainer.parallel {
            let agreed = try parallel.maximum([budget.spent, budget.step, budget.epochClose, budget.test])
            (budget.spent, budget.step, budget.epochClose, budget.test) = (agreed[0], agreed[1], agreed[2], agreed[3])
        }
        return budget.runsOut(endsEpoch: endsEpoch)
    }
}
