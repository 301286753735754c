import Foundation
import LMData

/// Where a ``TrainingSampler`` stands, by sampler: enough to continue its batches exactly.
public enum SamplerPosition: Codable, Equatable, Sendable {
    case sequential(SequentialSampler.State)
    case random(RandomSampler.State)
    /// The parallel sampler's state and the epochs whose end the trainer has already been told.
    case parallel(ParallelSequentialSampler.State, reportedEpochs: Int)
    /// AWD-LSTM's variable-length windows over the parallel rows, with their generator.
    case variable(VariableLengthSampler.State)

    /// The parallel position as checkpoints before typed state held it (as JSON in a string).
    private struct LegacyParallel: Codable {
        var sampler: ParallelSequentialSampler.State
        var reportedEpochs: Int
    }

    /// A position as checkpoints before typed state wrote it: JSON in a string, whose sampler
    /// is the one `like` belongs to (the run's own).
    /// - Throws: ``TrainingError/resumeMismatch(_:)`` when it is not that sampler's.
    public init(legacyJSON json: String, like current: SamplerPosition) throws {
        let data = Data(json.utf8), decoder = JSONDecoder()
        do {
            switch current {
            case .sequential: self = .sequential(try decoder.decode(SequentialSampler.State.self, from: data))
            case .random: self = .random(try decoder.decode(RandomSampler.State.self, from: data))
            case .parallel:
                let position = try decoder.decode(LegacyParallel.self, from: data)
                self = .parallel(position.sampler, reportedEpochs: position.reportedEpochs)
            case .variable:
                throw TrainingError.resumeMismatch("the checkpoint's sampler state predates variable-length windows")
            }
        } catch is DecodingError {
            throw TrainingError.resumeMismatch("the checkpoint's sampler state belongs to another sampler")
        }
    }
}
