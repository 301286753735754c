import Foundation

/// How the learning rate changes from epoch to epoch, or from step to step over the run
/// (`lm-train --lr-schedule`; `schedule` in `config.json`). Epochs are 1-based; `lr` is the base
/// rate (`--lr`).
///
/// `cosine` and `linear` follow the run's progress p in [0, 1]: the share of the time budget
/// spent (``RunSettings/timeBudget``) or of `epochs` epochs' steps trained, whichever is
/// larger, so they reach their floor where the run ends. After a warm-up over the first
/// `warmup` of the run (the rate rising linearly from 0), with q = (p − warmup) / (1 − warmup),
/// the rate is lr · (floor + (1 − floor) · s(q)), s(q) = (1 + cos πq) / 2 or 1 − q.
public enum LearningRateSchedule: Codable, Equatable, Sendable {
    /// lr · factor^⌊(e − 1) / every⌋: × `factor` every `every` epochs (`--lr-decay`; d2l-style).
    case step(factor: Double, every: Int)
    /// lr · factor^max(e − epochs, 0): constant for `epochs` epochs, then × `factor` every epoch
    /// (Zaremba et al. 2014 and TensorFlow's PTB tutorial: small model after 4, × 0.5).
    case after(epochs: Int, factor: Double)
    /// × `factor` at the end of every epoch numbered `from` or later, compounded (char-rnn's
    /// `learning_rate_decay_after` 10 and `learning_rate_decay` 0.97: epoch 11 runs at lr · 0.97).
    /// The same rates as `after` up to rounding: this one multiplies, as char-rnn does.
    case exponential(from: Int, factor: Double)
    /// × `factor` after an epoch whose validation loss (training loss without validation) is
    /// not better than the best so far, once more than `patience` such epochs in a row were
    /// seen (PyTorch's word_language_model: ÷ 4, patience 0; ReduceLROnPlateau's counting).
    case plateau(factor: Double, patience: Int)
    /// Cosine decay (Loshchilov & Hutter's SGDR without restarts) from lr to lr · `floor` over
    /// the run's progress, after a linear warm-up over its first `warmup` (both fractions in [0, 1)).
    case cosine(floor: Double, warmup: Double)
    /// Linear decay from lr to lr · `floor` over the run's progress, after a linear warm-up
    /// over its first `warmup` (both fractions in [0, 1)).
    case linear(floor: Double, warmup: Double)

    /// The forms `init(parsing:)` reads, for messages.
    public static let forms = "step:FACTOR:EVERY, after:N:FACTOR, exponential:N:FACTOR, plateau:FACTOR[:PATIENCE], "
        + "cosine[:FLOOR[:WARMUP]] or linear[:FLOOR[:WARMUP]]"

    /// A schedule written as `lm-train --lr-schedule` takes it (`after:4:0.5`,
    /// `plateau:0.25`, `cosine`, `linear:0.1:0.02`, …); nil for any other text.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let kind = parts.first else { return nil }
        let values = parts.dropFirst()
        func double(_ index: Int) -> Double? { Double(values[values.startIndex + index]) }
        func int(_ index: Int) -> Int? { Int(values[values.startIndex + index]) }
        switch (kind, values.count) {
        case ("step", 2):
            guard let factor = double(0), let every = int(1) else { return nil }
            self = .step(factor: factor, every: every)
        case ("after", 2):
            guard let epochs = int(0), let factor = double(1) else { return nil }
            self = .after(epochs: epochs, factor: factor)
        case ("exponential", 2):
            guard let from = int(0), let factor = double(1) else { return nil }
            self = .exponential(from: from, factor: factor)
        case ("plateau", 1), ("plateau", 2):
            guard let factor = double(0) else { return nil }
            let patience = values.count == 2 ? int(1) : 0
            guard let patience else { return nil }
            self = .plateau(factor: factor, patience: patience)
        case ("cosine", 0...2), ("linear", 0...2):
            guard let floor = values.isEmpty ? 0 : double(0), let warmup = values.count < 2 ? 0 : double(1) else { return nil }
            self = kind == "cosine" ? .cosine(floor: floor, warmup: warmup) : .linear(floor: floor, warmup: warmup)
        default:
            return nil
        }
    }

    /// The schedule as `--lr-schedule` writes it.
    public var text: String {
        switch self {
        case let .step(factor, every): "step:\(factor):\(every)"
        case let .after(epochs, factor): "after:\(epochs):\(factor)"
        case let .exponential(from, factor): "exponential:\(from):\(factor)"
        case let .plateau(factor, patience): "plateau:\(factor):\(patience)"
        case let .cosine(floor, warmup): "cosine:\(floor):\(warmup)"
        case let .linear(floor, warmup): "linear:\(floor):\(warmup)"
        }
    }

    /// The multiplier of every change; nil for `cosine` and `linear`, which follow the run's progress.
    public var factor: Double? {
        switch self {
        case let .step(factor, _), let .after(_, factor), let .exponential(_, factor), let .plateau(factor, _): factor
        case .cosine, .linear: nil
        }
    }
}
