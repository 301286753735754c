import Foundation
import LMModelFiles

extension Trainer {
    /// When the current epoch's training started, and its target tokens so far.
    struct EpochClock {
        let start = Date()
        var tokens = 0
    }

    /// Calls ``onProgress`` with where the run is after a batch.
    func reportProgress(_ epoch: EpochClock, seconds: Double, window: Int) {
        guard let onProgress else { return }
        let epochs = config.training.epochs
        let rate = Double(epoch.tokens) / max(seconds, 1e-9)
        let perEpoch = Double(sampler.batchesPerEpoch * window)
        let left = Double(epochs - state.epoch) * perEpoch - Double(state.tokenCount)
        onProgress(TrainingProgress(epoch: state.epoch + 1, epochs: epochs, batch: state.batchInEpoch,
                                    batchesPerEpoch: sampler.batchesPerEpoch,
                                    perplexity: exp(state.lossSum / Double(state.tokenCount)),
                                    tokensPerSecond: rate, secondsLeft: max(0, left / rate)))
    }

    /// The signal received, by any rank of a data-parallel run, so that all stop together.
    func pendingSignal() throws -> Int32? {
        guard let parallel else { return Interrupts.pending }
        return try parallel.agreedSignal(Interrupts.pending)
    }
}
