import Foundation
import LMData
import LMModelFiles

/// The three samplers behind one type, so the trainer can run any of them by epochs, save and
/// restore its position as JSON, and know whether the hidden state may be carried.
public struct TrainingSampler {
    // Exactly one is set. Optionals (rather than an enum's payloads) let `next` mutate the
    // sampler in place, so its buffers are never copied.
    private var sequential: SequentialSampler?
    private var random: RandomSampler?
    private var parallel: ParallelSequentialSampler?
    /// Parallel sampler only: epochs whose end `next` has already reported.
    private var reportedEpochs = 0

    /// The sampler `kind` over `stream`; random offsets and shuffles come from `generator`.
    public init(kind: TrainingOptions.SamplerKind, stream: TokenStream, batch: Int, steps: Int,
                generator: RandomGenerator) throws {
        switch kind {
        case .sequential: sequential = try SequentialSampler(stream: stream, batchSize: batch, steps: steps, generator: generator)
        case .random: random = try RandomSampler(stream: stream, batchSize: batch, steps: steps, generator: generator)
        case .parallel: parallel = try ParallelSequentialSampler(stream: stream, batchSize: batch, steps: steps)
        }
    }

    /// Whether row i of a batch continues row i of the previous one (sequential and parallel),
    /// so the hidden state is carried; random sampling starts every batch afresh, as d2l does.
    public var carriesState: Bool { random == nil }

    /// Batches per epoch.
    public var batchesPerEpoch: Int {
        sequential?.batchesPerEpoch ?? random?.batchesPerEpoch ?? parallel!.batchesPerEpoch
    }

    /// Writes the next batch of the current epoch into `batch` and returns true, or returns
    /// false when the epoch is over (the following call starts the next one). Chainer's
    /// iterator never runs dry: its epoch ends after the batch that crosses the boundary.
    public mutating func next(into batch: inout Batch) -> Bool {
        if sequential != nil { return sequential!.next(into: &batch) }
        if random != nil { return random!.next(into: &batch) }
        if parallel!.epoch > reportedEpochs {
            reportedEpochs = parallel!.epoch
            return false
        }
        return parallel!.next(into: &batch)
    }

    private struct ParallelPosition: Codable {
        var sampler: ParallelSequentialSampler.State
        var reportedEpochs: Int
    }

    /// The position as JSON.
    public func stateJSON() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        if let sequential {
            data = try encoder.encode(sequential.state)
        } else if let random {
            data = try encoder.encode(random.state)
        } else {
            data = try encoder.encode(ParallelPosition(sampler: parallel!.state, reportedEpochs: reportedEpochs))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Moves to a position saved by `stateJSON()` on the same corpus and settings.
    public mutating func restore(json: String) throws {
        let data = Data(json.utf8)
        let decoder = JSONDecoder()
        do {
            if sequential != nil {
                try sequential!.restore(decoder.decode(SequentialSampler.State.self, from: data))
            } else if random != nil {
                try random!.restore(decoder.decode(RandomSampler.State.self, from: data))
            } else {
                let position = try decoder.decode(ParallelPosition.self, from: data)
                try parallel!.restore(position.sampler)
                reportedEpochs = position.reportedEpochs
            }
        } catch let error as SamplerError {
            throw TrainingError.resumeMismatch("the checkpoint's sampler does not fit this corpus: \(error)")
        } catch is DecodingError {
            throw TrainingError.resumeMismatch("the checkpoint's sampler state belongs to another sampler")
        }
    }
}
