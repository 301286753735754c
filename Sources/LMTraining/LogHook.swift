import Foundation
import LMFileSystem
import LMModelFiles
import LMText

/// The run's log (`log.jsonl`, one ``EpochReport`` a line) and its curve (`curve.svg`,
/// ``CurvePlot``), rewritten after every epoch by the process that writes the run directory.
final class LogHook: TrainingHook {
    private(set) var log: TrainingLog
    /// The curve's title: the model and the corpus.
    let title: String

    init(directory: RunDirectory, config: RunConfig) {
        log = TrainingLog(path: directory.logPath)
        title = "\(config.model.kind.rawValue.uppercased())-\(config.model.layerWidths) on \(URL(fileURLWithPath: config.training.corpus).lastPathComponent)"
    }

    /// Keeps the log's epochs up to `epoch` (a resume continues from there).
    func resumed(through epoch: Int) {
        log = TrainingLog(path: log.path, keepingThrough: epoch)
    }

    func epochFinished(_ report: EpochReport, _ trainer: Trainer) throws {
        guard trainer.isWriter else { return }
        try log.append(report)
        try AtomicFile.write(Data(CurvePlot.svg(log.reports, title: title).utf8), to: trainer.directory.curvePath)
    }
}
