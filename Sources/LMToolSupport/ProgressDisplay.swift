import Foundation
import LMModelFiles

/// How `lm-train` shows progress: on a terminal one status line redrawn in place (epoch,
/// perplexities, tokens/s, ETA); otherwise plain lines every `interval` epochs.
public struct ProgressDisplay {
    public let isTerminal: Bool
    public let epochs: Int
    /// Epochs between plain lines (and always the first and the last).
    public let interval: Int
    /// Rewrites a line before it is shown (lm-train: setting key paths as flags).
    public let rewrite: (String) -> String
    private var lastDraw = Date.distantPast
    private var lastValidation: Double?

    public init(epochs: Int, isTerminal: Bool = isatty(STDOUT_FILENO) != 0, rewrite: @escaping (String) -> String = { $0 }) {
        self.epochs = epochs
        self.rewrite = rewrite
        self.isTerminal = isTerminal
        self.interval = max(1, epochs / 50)
    }

    /// After a batch: redraws the status line (at most ten times a second).
    public mutating func update(_ progress: TrainingProgress) {
        guard isTerminal, Date().timeIntervalSince(lastDraw) > 0.1 else { return }
        lastDraw = Date()
        var line = "epoch \(progress.epoch)/\(progress.epochs)  batch \(progress.batch)/\(progress.batchesPerEpoch)"
        line += String(format: "  ppl %.3f", progress.perplexity)
        if let lastValidation { line += String(format: "  val %.3f", lastValidation) }
        line += "  \(TrainingProgress.rate(progress.tokensPerSecond)) tok/s  ETA \(TrainingProgress.duration(progress.secondsLeft))"
        write("\r\u{1B}[K" + line)
    }

    /// After an epoch: a plain line when due, and the sample when there is one.
    public mutating func epochEnded(_ report: EpochReport, sample: String?) {
        lastValidation = report.validationPerplexity
        let due = report.epoch == 1 || report.epoch % interval == 0 || report.epoch == epochs
        if due || sample != nil {
            var line = "epoch \(report.epoch)/\(epochs)" + String(format: "  train ppl %.3f", report.trainPerplexity)
            if let validation = report.validationPerplexity { line += String(format: "  val ppl %.3f", validation) }
            line += "  \(TrainingProgress.rate(report.tokensPerSecond)) tok/s  \(TrainingProgress.duration(report.elapsed)) elapsed"
            write((isTerminal ? "\r\u{1B}[K" : "") + line + "\n")
        }
        if let sample { write("  sample: \(sample)\n") }
    }

    /// Clears the status line before other output.
    public func finish() {
        if isTerminal { write("\r\u{1B}[K") }
    }

    /// Prints a line of its own (after clearing the status line), unbuffered like the status
    /// line; on stderr when stdout is gone (a pipe whose reader left), so the closing lines of a
    /// run stopped by SIGPIPE still reach the user.
    public func say(_ text: String) {
        let line = rewrite(text) + "\n"
        if !StandardOutput.write((isTerminal ? "\r\u{1B}[K" : "") + line, to: STDOUT_FILENO) && errno == EPIPE {
            StandardOutput.write(line, to: STDERR_FILENO)
        }
    }

    /// Writes "lm-train: warning: TEXT" on stderr (after clearing the status line).
    public func warn(_ text: String) {
        if isTerminal { write("\r\u{1B}[K") }
        ToolFailure.note(tool: "lm-train", "warning: " + rewrite(text))
    }

    /// Progress to stdout; a failed write (a closed pipe, a hung-up terminal) is dropped, and
    /// the signal that came with it stops training (``Interrupts``).
    private func write(_ text: String) {
        StandardOutput.write(text, to: STDOUT_FILENO)
    }
}
