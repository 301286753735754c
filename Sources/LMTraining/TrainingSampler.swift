import Foundation
import LMData

/// The three samplers behind one type, so the trainer can run any of them by epochs, save and
/// restore its position as JSON, and know whether the hidden state may be carried.
public struct TrainingSampler {
    private enum Kind {
        case sequential(SequentialSampler)
        case random(RandomSampler)
        case parallel(ParallelSequentialSampler)
    }

    private var kind: Kind
    /// Parallel sampler only: epochs whose end `next` has already reported.
    private var reportedEpochs = 0

    /// The sampler `kind` over `stream`; random offsets and shuffles come from `generator`.
    public init(kind: TrainingOptions.SamplerKind, stream: TokenStream, batch: Int, steps: Int,
                generator: RandomGenerator) throws {
        switch kind {
        case .sequential: self.kind = .sequential(try SequentialSampler(stream: stream, batchSize: batch, steps: steps, generator: generator))
        case .random: self.kind = .random(try RandomSampler(stream: stream, batchSize: batch, steps: steps, generator: generator))
        case .parallel: self.kind = .parallel(try ParallelSequentialSampler(stream: stream, batchSize: batch, steps: steps))
        }
    }

    /// Whether row i of a batch continues row i of the previous one (sequential and parallel),
    /// so the hidden state is carried; random sampling starts every batch afresh, as d2l does.
    public var carriesState: Bool {
        if case .random = kind { return false }
        return true
    }

    /// Batches per epoch.
    public var batchesPerEpoch: Int {
        switch kind {
        case .sequential(let s): s.batchesPerEpoch
        case .random(let s): s.batchesPerEpoch
        case .parallel(let s): s.batchesPerEpoch
        }
    }

    /// Writes the next batch of the current epoch into `batch` and returns true, or returns
    /// false when the epoch is over (the following call starts the next one). Chainer's
    /// iterator never runs dry: its epoch ends after the batch that crosses the boundary.
    public mutating func next(into batch: inout Batch) -> Bool {
        switch kind {
        case .sequential(var s):
            defer { kind = .sequential(s) }
            return s.next(into: &batch)
        case .random(var s):
            defer { kind = .random(s) }
            return s.next(into: &batch)
        case .parallel(var s):
            if s.epoch > reportedEpochs {
                reportedEpochs = s.epoch
                return false
            }
            defer { kind = .parallel(s) }
            return s.next(into: &batch)
        }
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
        switch kind {
        case .sequential(let s): data = try encoder.encode(s.state)
        case .random(let s): data = try encoder.encode(s.state)
        case .parallel(let s): data = try encoder.encode(ParallelPosition(sampler: s.state, reportedEpochs: reportedEpochs))
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Moves to a position saved by `stateJSON()` on the same corpus and settings.
    public mutating func restore(json: String) throws {
        let data = Data(json.utf8)
        let decoder = JSONDecoder()
        do {
            switch kind {
            case .sequential(var s):
                try s.restore(decoder.decode(SequentialSampler.State.self, from: data))
                kind = .sequential(s)
            case .random(var s):
                try s.restore(decoder.decode(RandomSampler.State.self, from: data))
                kind = .random(s)
            case .parallel(var s):
                let position = try decoder.decode(ParallelPosition.self, from: data)
                try s.restore(position.sampler)
                kind = .parallel(s)
                reportedEpochs = position.reportedEpochs
            }
        } catch let error as SamplerError {
            throw TrainingError.resumeMismatch("the checkpoint's sampler does not fit this corpus: \(error)")
        } catch is DecodingError {
            throw TrainingError.resumeMismatch("the checkpoint's sampler state belongs to another sampler")
        }
    }
}
