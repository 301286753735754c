/// A run's wall-time budget and where it stands, in seconds: the stop rule and the share of
/// the training time spent, which the schedules that follow the run's progress read. Every
/// rank of a data-parallel run holds the same values (the largest over the ranks).
struct TimeBudget: Equatable, Sendable {
    /// The budget.
    let seconds: Double
    /// Spent so far, across resumes: set-up, steps, validation, checkpoints.
    var spent = 0.0
    /// A training step's mean duration (0 before the first).
    var step = 0.0
    /// An epoch's close: its validation pass, log, checkpoints and sample (estimated until one
    /// was measured).
    var epochClose = 0.0
    /// The test after training (estimated): the plain pass, plus the pass with the evaluation
    /// gains where the run asks for them.
    var test = 0.0

    /// What the end of the run costs once training stops: an epoch's close (for the epoch
    /// that training stops in) and the test.
    var closing: Double { epochClose + test }

    /// Whether training stops now, after a step: when one more step, then the close of the
    /// epoch that step ends (`endsEpoch`) and the run's closing would not fit in the budget.
    /// At an epoch's end the stop is decided before its close, which then is the run's closing.
    func runsOut(endsEpoch: Bool) -> Bool {
        spent + step + (endsEpoch ? epochClose : 0) + closing > seconds
    }

    /// The share of the training time spent, in [0, 1]: the time spent over the budget less
    /// the closing, so it reaches 1 where training stops.
    var fraction: Double {
        let training = seconds - closing
        guard training > 0 else { return 1 }
        return min(1, max(0, spent / training))
    }

    /// The closing estimates from the measurements so far: an epoch's close as measured, else
    /// a validation pass of `validationTokens` at the training steps' speed (slower per token
    /// than evaluation's, so it errs long); the test as the measured close scaled from the
    /// validation's tokens to the test's, else at the training steps' speed; plus the test with
    /// the evaluation gains at its measured cost per token.
    /// - Parameters:
    ///   - measuredClose: the last epoch's close, seconds; nil before one was measured.
    ///   - windowTokens: target tokens of one training step (batch × steps).
    ///   - gainsPerToken: seconds per token of the test with the gains (0 for none).
    mutating func estimateClosing(measuredClose: Double?, validationTokens: Int, testTokens: Int, windowTokens: Int,
                                  gainsPerToken: Double = 0) {
        let perToken = step / Double(max(windowTokens, 1))
        epochClose = measuredClose ?? perToken * Double(validationTokens)
        if let measuredClose, validationTokens > 0 {
            test = measuredClose * Double(testTokens) / Double(validationTokens)
        } else {
            test = perToken * Double(testTokens)
        }
        test += gainsPerToken * Double(testTokens)
    }
}
