import Foundation
import LMModelFiles

/// Data-parallel runs, before the first step: rank 0's weights, optimizer state, position
/// and carried state (fresh, or just resumed) are sent to every rank, exactly as a
/// checkpoint; each rank keeps its own rows of the carried state.
final class DataParallelHook: TrainingHook {
    let parallel: DataParallel

    init(_ parallel: DataParallel) { self.parallel = parallel }

    func trainingStarted(_ trainer: Trainer) throws {
        let model = trainer.model
        if parallel.isWriter {
            let (state, tensors) = trainer.checkpointContents()
            _ = try parallel.communicator.broadcast([UInt8](try TrainingCheckpoint.encode(model: model, tensors: tensors, state: state)), root: 0)
        } else {
            let bytes = try parallel.communicator.broadcast([], root: 0)
            let (state, tensors) = try TrainingCheckpoint.decode(Data(bytes), origin: "rank 0's weights", model: model, like: trainer.state)
            try trainer.restore(state, tensors: tensors)
            try trainer.sampler.restore(state.sampler)
        }
        let full = model.state.filter { $0.rows > 0 }
        if !full.isEmpty { try model.setState(try parallel.localState(full, batch: trainer.config.training.batch)) }
    }
}
