import LMData
import LMModelFiles
import LMSettings

/// The three samplers behind one type, so the trainer can run any of them by epochs, save and
/// restore its position (``SamplerPosition``), and know whether the hidden state may be carried;
/// the parallel one also with AWD-LSTM's variable-length windows.
public enum TrainingSampler {
    case sequential(SequentialSampler)
    case random(RandomSampler)
    /// Chainer's parallel sampler, and the epochs whose end ``next(into:)`` has already reported.
    case parallel(ParallelSequentialSampler, reportedEpochs: Int)
    /// AWD-LSTM's variable-length windows over the parallel sampler's rows.
    case variable(VariableLengthSampler)

    /// The sampler `kind` over `stream`, with `variableSteps` (parallel only) AWD-LSTM's windows
    /// around `steps`; random offsets, shuffles and window lengths come from `generator`.
    /// - Throws: a ``SamplerError`` for a corpus too short; ``TrainingError/invalidSetting(_:)``
    ///   for variable windows on another sampler.
    public init(kind: TrainingOptions.SamplerKind, stream: TokenStream, batch: Int, steps: Int,
                variableSteps: DataSettings.VariableSteps? = nil, generator: RandomGenerator) throws {
        if let variableSteps {
            guard kind == .parallel else {
                throw TrainingError.invalidSetting("data.variableSteps walks the rows of data.sampler parallel; \(kind.rawValue) windows have a fixed length")
            }
            self = .variable(try VariableLengthSampler(
                stream: stream, batchSize: batch, baseSteps: steps, longestWindow: DataSettings.VariableSteps.longestWindow(steps: steps),
                halfProbability: variableSteps.halfProbability, spread: variableSteps.spread, generator: generator))
            return
        }
        switch kind {
        case .sequential: self = .sequential(try SequentialSampler(stream: stream, batchSize: batch, steps: steps, generator: generator))
        case .random: self = .random(try RandomSampler(stream: stream, batchSize: batch, steps: steps, generator: generator))
        case .parallel: self = .parallel(try ParallelSequentialSampler(stream: stream, batchSize: batch, steps: steps), reportedEpochs: 0)
        }
    }

    /// The longest window, the width of every batch.
    public var longestWindow: Int {
        switch self {
        case .sequential(let sampler): sampler.steps
        case .random(let sampler): sampler.steps
        case .parallel(let sampler, _): sampler.steps
        case .variable(let sampler): sampler.steps
        }
    }

    /// The latest step's learning rate from the rate `rate`: AWD-LSTM's `rate · ℓ / baseSteps`
    /// for a variable window drawn ℓ long, else `rate` itself.
    public func stepRate(_ rate: Double) -> Double {
        guard case .variable(let sampler) = self else { return rate }
        return rate * Double(sampler.drawnLength) / Double(sampler.baseSteps)
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
        case .variable(let sampler): sampler.batchesPerEpoch
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
        case .variable(var sampler):
            defer { self = .variable(sampler) }
            return sampler.next(into: &batch)
        }
    }

    /// The current position.
    public var position: SamplerPosition {
        switch self {
        case .sequential(let sampler): .sequential(sampler.state)
        case .random(let sampler): .random(sampler.state)
        case .parallel(let sampler, let reported): .parallel(sampler.state, reportedEpochs: reported)
        case .variable(let sampler): .variable(sampler.state)
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
            case (.variable(var sampler), .variable(let state)):
                try sampler.restore(state)
                self = .variable(sampler)
            default:
                throw TrainingError.resumeMismatch("the checkpoint's sampler state belongs to another sampler")
            }
        } catch let error as SamplerError {
            throw TrainingError.resumeMismatch("the checkpoint's sampler does not fit this corpus: \(error)")
        }
    }
}
