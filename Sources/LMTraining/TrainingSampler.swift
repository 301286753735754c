import LMData
import LMModelFiles

/// The three samplers behind one type, so the trainer can run any of them by epochs, save and
/// restore its position (``SamplerPosition``), and know whether the hidden state may be carried.
public enum TrainingSampler {
    case sequential(SequentialSampler)
    case random(RandomSampler)
    /// Chainer's parallel sampler, and the epochs whose end ``next(into:)`` has already reported.
    case parallel(ParallelSequentialSampler, reportedEpochs: Int)

    /// The sampler `kind` over `stream`; random offsets and shuffles come from `generator`.
    public init(kind: TrainingOptions.SamplerKind, stream: TokenStream, batch: Int, steps: Int,
                generator: RandomGenerator) throws {
        switch kind {
        case .sequential: self = .sequential(try SequentialSampler(stream: stream, batchSize: batch, steps: steps, generator: generator))
        case .random: self = .random(try RandomSampler(stream: stream, batchSize: batch, steps: steps, generator: generator))
        case .parallel: self = .parallel(try ParallelSequentialSampler(stream: stream, batchSize: batch, steps: steps), reportedEpochs: 0)
        }
    }

    /// Whether row i of a batch continues row i of the previous one (sequential and parallel),
    /// so the hidden state is carried; random sampling starts every batch afresh, as d2l does.
    public var carriesState: Bool {
        if case .random = self { return false }
        return true
    }

    /// Batches per epoch.
    public var batchesPerEpoch: Int {
        switch self {
        case .sequential(let sampler): sampler.batchesPerEpoch
        case .random(let sampler): sampler.batchesPerEpoch
        case .parallel(let sampler, _): sampler.batchesPerEpoch
        }
    }

    /// Writes the next batch of the current epoch into `batch` and returns true, or returns
    /// false when the epoch is over (the following call starts the next one). Chainer's
    /// iterator never runs dry: its epoch ends after the batch that crosses the boundary.
    public mutating func next(into batch: inout Batch) -> Bool {
        switch self {
        case .sequential(var sampler):
            defer { self = .sequential(sampler) }
            return sampler.next(into: &batch)
        case .random(var sampler):
            defer { self = .random(sampler) }
            return sampler.next(into: &batch)
        case .parallel(var sampler, let reported):
            if sampler.epoch > reported {
                self = .parallel(sampler, reportedEpochs: sampler.epoch)
                return false
            }
            defer { self = .parallel(sampler, reportedEpochs: reported) }
            return sampler.next(into: &batch)
        }
    }

    /// The current position.
    public var position: SamplerPosition {
        switch self {
        case .sequential(let sampler): .sequential(sampler.state)
        case .random(let sampler): .random(sampler.state)
        case .parallel(let sampler, let reported): .parallel(sampler.state, reportedEpochs: reported)
        }
    }

    /// Moves to `position`, saved by ``position`` on the same corpus and settings.
    /// - Throws: ``TrainingError/resumeMismatch(_:)`` for another sampler's position or one
    ///   that does not fit this corpus.
    public mutating func restore(_ position: SamplerPosition) throws {
        do {
            switch (self, position) {
            case (.sequential(var sampler), .sequential(let state)):
                try sampler.restore(state)
                self = .sequential(sampler)
            case (.random(var sampler), .random(let state)):
                try sampler.restore(state)
                self = .random(sampler)
            case (.parallel(var sampler, _), .parallel(let state, let reported)):
                try sampler.restore(state)
                self = .parallel(sampler, reportedEpochs: reported)
            default:
                throw TrainingError.resumeMismatch("the checkpoint's sampler state belongs to another sampler")
            }
        } catch let error as SamplerError {
            throw TrainingError.resumeMismatch("the checkpoint's sampler does not fit this corpus: \(error)")
        }
    }
}
