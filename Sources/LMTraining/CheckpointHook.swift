import Foundation
import LMModelFiles
import LMModels
import LMSettings

/// Checkpoints: `best.safetensors` whenever the epoch's metric (validation perplexity, else
/// training) improves, a regular one every `checkpointEvery` epochs and at the end (the last
/// epoch, or the one the time budget ended; with the run's newest weights,
/// `model.safetensors`), one on a signal; pruning to `keep`; and resume
/// from the newest intact checkpoint or from best. In a data-parallel run every rank takes
/// part in a write (rank 0 gathers the whole batch's carried state and writes) and none goes
/// on before the files are written.
final class CheckpointHook: TrainingHook {
    private(set) var files: CheckpointDirectory

    init(directory: RunDirectory) {
        files = CheckpointDirectory(naming: directory.checkpointsPath)
    }

    func trainingStarted(_ trainer: Trainer) throws {
        if trainer.isWriter { files = try CheckpointDirectory(directory: files.directory) }
    }

    func epochFinished(_ report: EpochReport, _ trainer: Trainer) throws {
        let metric = report.validationPerplexity ?? report.trainPerplexity
        if trainer.state.bestPerplexity.map({ metric < $0 }) ?? true {
            trainer.state.bestPerplexity = metric
            trainer.state.bestEpoch = report.epoch
            try save(to: files.bestPath, regular: false, trainer)
        }
        if regularCheckpointDue(after: report.epoch, trainer) || report.stoppedAtBatch != nil {
            try save(to: files.path(epoch: report.epoch, batch: 0), regular: true, trainer)
        }
    }

    /// Whether a regular checkpoint is written after `epoch`: every `checkpointEvery` epochs and at the end.
    private func regularCheckpointDue(after epoch: Int, _ trainer: Trainer) -> Bool {
        epoch % trainer.config.training.checkpointEvery == 0 || epoch == trainer.config.training.epochs
    }

    /// Stops on `signal` where the run stands: writes the checkpoint (after an epoch, unless
    /// the epoch's regular one was just written) and says where it is.
    func interrupted(by signal: Int32, _ trainer: Trainer) throws -> TrainingOutcome {
        let state = trainer.state
        let path = files.path(epoch: state.epoch, batch: state.batchInEpoch)
        if state.batchInEpoch > 0 || !regularCheckpointDue(after: state.epoch, trainer) {
            try save(to: path, regular: true, trainer)
        }
        return .interrupted(signal: signal, checkpoint: path)
    }

    /// The error for a non-finite loss or perplexity at `batch` of `epoch` (both from 1),
    /// naming the checkpoints to go back to.
    func divergence(epoch: Int, batch: Int) throws -> TrainingError {
        .divergence(epoch: epoch, batch: batch, checkpoint: try files.newest?.path, best: files.existingBest)
    }

    /// Writes a checkpoint; a regular one also writes the run's newest weights and prunes.
    private func save(to path: String, regular: Bool, _ trainer: Trainer) throws {
        let (state, tensors) = trainer.checkpointContents()
        let model = trainer.model
        let hidden = try trainer.parallel?.gatherState(model.state.filter { $0.rows > 0 }, batch: trainer.config.training.batch)
        if trainer.isWriter {
            try TrainingCheckpoint.write(to: path, model: model, tensors: tensors, state: state, hidden: hidden)
            if regular {
                try trainer.withEvaluationWeights {
                    try trainer.directory.writeWeights(model, metadata: ["epoch": String(state.epoch), "format": "lmkit-weights"])
                }
                try files.prune(keeping: trainer.config.training.keep)
            }
        }
        try trainer.parallel?.barrier()
    }

    /// Loads the checkpoint `point` names into `trainer` (see ``Trainer/resume(from:)``).
    func resume(from point: ResumePoint, _ trainer: Trainer) throws -> ResumeOrigin {
        files = try CheckpointDirectory(directory: files.directory)
        switch point {
        case .best:
            guard FileManager.default.fileExists(atPath: files.bestPath) else {
                throw TrainingError.resumeMismatch("\(files.bestPath) does not exist; resume without run.resume.best")
            }
            try trainer.load(files.bestPath)
            var origin = ResumeOrigin(path: files.bestPath, notes: [])
            let state = trainer.state
            for later in try files.all() where (later.epoch, later.batch) > (state.epoch, state.batchInEpoch) {
                unlink(later.path)
                origin.notes.append("deleted \(later.path): it continues past best.safetensors (epoch \(state.epoch))")
            }
            return origin
        case .newest:
            var notes: [String] = []
            var found: String? = nil
            for candidate in try files.all().reversed() {
                do {
                    try trainer.load(candidate.path)
                    found = candidate.path
                    break
                } catch {
                    let aside = candidate.path + RunDirectory.damagedSuffix
                    let moved = rename(candidate.path, aside) == 0
                    notes.append("skipped \(error)" + (moved ? " (set aside as \(URL(fileURLWithPath: aside).lastPathComponent))" : ""))
                }
            }
            let best = FileManager.default.fileExists(atPath: files.bestPath) ? "; run.resume.best continues from \(files.bestPath)" : ""
            if found == nil && !notes.isEmpty {
                throw TrainingError.resumeMismatch("no intact checkpoint in \(files.directory): " + notes.joined(separator: "; ") + best)
            }
            // No checkpoint yet (stopped during the first epoch): the start is the fresh model, exactly.
            if found == nil { notes.append("\(files.directory) holds no checkpoint yet: starting from epoch 0" + best) }
            return ResumeOrigin(path: found, notes: notes)
        }
    }

    /// Deletes all but the newest `keep` regular checkpoints.
    func prune(_ trainer: Trainer) throws {
        try files.prune(keeping: trainer.config.training.keep)
    }
}
