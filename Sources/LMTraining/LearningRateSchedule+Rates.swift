import Foundation
import LMModelFiles
import LMSettings

extension LearningRateSchedule {
    /// Whether the schedule carries a ``ScheduleState`` between epochs.
    public var isStateful: Bool {
        switch self {
        case .step, .after, .cosine, .linear: false
        case .exponential, .plateau: true
        }
    }

    /// Whether the rate follows the run's progress (set before every step) rather than its epochs.
    public var followsProgress: Bool {
        switch self {
        case .cosine, .linear: true
        case .step, .after, .exponential, .plateau: false
        }
    }

    /// The learning rate from base rate `base` at `progress` p of the run (in [0, 1]; outside
    /// it, the nearest end): linear warm-up from 0 over the first `warmup`, then from `base`
    /// down to `base · floor` by the cosine or linearly. nil for the schedules by epoch.
    public func rate(progress: Double, base: Double) -> Double? {
        switch self {
        case .step, .after, .exponential, .plateau:
            return nil
        case let .cosine(floor, warmup), let .linear(floor, warmup):
            let p = min(1, max(0, progress))
            if p < warmup { return base * p / warmup }
            let q = (p - warmup) / (1 - warmup)
            let decay = if case .cosine = self { (1 + cos(Double.pi * q)) / 2 } else { 1 - q }
            return base * (floor + (1 - floor) * decay)
        }
    }

    /// The learning rate of 1-based `epoch` from base rate `base`, given the carried state
    /// (used by the stateful schedules only; nil there means the run's start). The schedules
    /// that follow the run's progress give their rate at its start (see ``rate(progress:base:)``).
    public func rate(epoch: Int, base: Double, state: ScheduleState?) -> Double {
        switch self {
        case let .step(factor, every):
            // The expression of the original `--lr-decay`, kept bit for bit.
            base * pow(factor, Double((epoch - 1) / every))
        case let .after(epochs, factor):
            base * pow(factor, Double(max(epoch - epochs, 0)))
        case .exponential, .plateau:
            state?.rate ?? base
        case .cosine, .linear:
            rate(progress: 0, base: base) ?? base
        }
    }

    /// The state after 1-based `epoch` ended with `metric` (validation perplexity, else the
    /// training one): char-rnn multiplies at the end of every epoch ≥ `from`; the plateau rule
    /// counts an epoch not strictly better than the best as bad and cuts the rate once the
    /// bad epochs in a row exceed `patience`, then counts afresh. nil for stateless schedules.
    public func state(after epoch: Int, metric: Double, base: Double, state: ScheduleState?) -> ScheduleState? {
        guard isStateful else { return nil }
        var next = state ?? ScheduleState(rate: base)
        switch self {
        case .step, .after, .cosine, .linear:
            return nil
        case let .exponential(from, factor):
            if epoch >= from && factor < 1 { next.rate *= factor }
        case let .plateau(factor, patience):
            if let best = next.best, !(metric < best) {
                next.badEpochs += 1
            } else {
                next.best = metric
                next.badEpochs = 0
            }
            if next.badEpochs > patience {
                next.rate *= factor
                next.badEpochs = 0
            }
        }
        return next
    }
}
