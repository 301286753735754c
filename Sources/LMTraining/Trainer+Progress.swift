import Foundation
import LMModelFiles

extension Trainer {
    /// When the current epoch's training started, and its target tokens so far.
    struct EpochClock {
        let start = Date()
        var tokens = 0
    }

    /// Calls ``onProgress`` with where the run is after a batch (the time left: to the last
    /// epoch's end at the epoch's rate, or to the time budget's end when sooner).
    func reportProgress(_ epoch: EpochClock, seconds: Double, window: Int) {
        guard let onProgress else { return }
        let epochs = config.training.epochs
        let rate = Double(epoch.tokens) / max(seconds, 1e-9)
        let perEpoch = Double(sampler.batchesPerEpoch * window)
        let left = Double(epochs - state.epoch) * perEpoch - Double(state.tokenCount)
        // With a time budget, what is left of it when that comes first.
        let budgetLeft = timeBudget.map { max(0, $0.budget.seconds - $0.budget.spent) } ?? .infinity
        onProgress(TrainingProgress(epoch: state.epoch + 1, epochs: epochs, batch: state.batchInEpoch,
                                    batchesPerEpoch: sampler.batchesPerEpoch,
                                    perplexity: exp(state.lossSum / Double(state.tokenCount)),
                                    tokensPerSecond: rate, secondsLeft: min(budgetLeft, max(0, left / rate))))
    }

    /// The signal received, by any rank of a data-parallel run, so that all stop together.
    func pendingSignal() throws -> Int32? {
        guard let parallel else { return Interrupts.pending }
        return try parallel.agreedSignal(Interrupts.pending)
    }
}
