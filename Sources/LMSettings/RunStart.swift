import Foundation

extension RunSettings {
    /// Where a new run's weights come from (``RunSettings/start``; `lm-train --finetune RUN`).
    public enum Start: Codable, Equatable, Sendable {
        /// Fresh weights from the seed.
        case fresh
        /// AWD-LSTM's fine-tuning stage (`finetune.py`): the best-validation weights of the run
        /// in directory `from` (its NT-ASGD average, if it had begun), then averaged SGD with the
        /// average kept from the first step (PyTorch's ASGD with `t0` 0), the best-validation
        /// average checkpointed. The new stage writes its own run directory (``RunSettings/output``)
        /// and never touches `from`.
        case finetune(from: String)

        /// Throws ``SettingsError`` (keys `run.start`, `run.output`) unless a fine-tuning stage
        /// names a run, trains with SGD (`optimizer`), and writes to a directory of its own.
        func validate(output: String?, optimizer: OptimizerSettings.Kind) throws {
            guard case .finetune(let from) = self else { return }
            if from.isEmpty {
                throw SettingsError(.outOfRange, "run.start", "\(setting: "run.start") names no run; give the directory of the run to fine-tune")
            }
            if optimizer != .sgd {
                throw SettingsError(.requires, "run.start", "\(setting: "run.start") continues with averaged SGD; it needs \(setting: "optimizer.kind") sgd (got \(optimizer.rawValue))")
            }
            guard let output else {
                throw SettingsError(.requires, "run.output", "\(setting: "run.start") \(from) writes a new run: give \(setting: "run.output"), a directory other than \(from)")
            }
            if Self.sameDirectory(output, from) {
                throw SettingsError(.conflict, "run.output", "\(setting: "run.output") \(output) is the run being fine-tuned; the new stage needs a directory of its own")
            }
        }

        /// Whether two paths name the same directory (symbolic links resolved).
        static func sameDirectory(_ a: String, _ b: String) -> Bool {
            func resolved(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
            return resolved(a) == resolved(b)
        }
    }
}
