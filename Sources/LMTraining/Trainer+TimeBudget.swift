import LMModelFiles

extension Trainer {
    /// Whether the time budget ends training after the step just done (which ended its epoch
    /// when `endsEpoch`), or before the first one when called at the start; false without a
    /// budget. Every rank of a data-parallel run gets the same answer.
    func budgetRunsOut(endsEpoch: Bool) throws -> Bool {
        try timeBudget?.runsOut(endsEpoch: endsEpoch, self) ?? false
    }

    /// Training windows done in the whole run (older checkpoints lack the counter; their
    /// epochs all had `batchesPerEpoch` windows).
    var windowsDone: UInt64 {
        state.windowsTrained ?? UInt64(state.epoch * sampler.batchesPerEpoch + state.batchInEpoch)
    }

    /// The share of the run done before the 0-based training window `window`, in [0, 1]: the
    /// larger of the windows' share of `epochs` epochs and the time budget's share spent (as
    /// of the last step's check), since the run ends on whichever comes first.
    func progress(beforeWindow window: UInt64) -> Double {
        let windows = Double(window) / Double(max(1, config.training.epochs * sampler.batchesPerEpoch))
        return min(1, max(windows, timeBudget?.budget.fraction ?? 0))
    }
}
