import Foundation
import LMModels
import LMTensor

/// This process's place in a data-parallel run over a ``Communicator``: which of a batch's
/// B streams it trains (whole contiguous rows, so the hidden state never crosses processes),
/// and the collective steps the trainer takes with the others. Every rank runs the same
/// sampler over the whole corpus and keeps identical weights; the gradients of each step are
/// summed (``GradientAllreduce``) so they equal the single-process mean.
public struct DataParallel {
    public let communicator: any Communicator

    public init(_ communicator: any Communicator) {
        self.communicator = communicator
    }

    public var rank: Int { communicator.rank }
    public var size: Int { communicator.size }
    /// Whether this process writes the run directory, logs and samples (rank 0).
    public var isWriter: Bool { rank == 0 }

    /// The rows of a batch of `batch` streams that `rank` trains: rank r owns
    /// ⌊B·r/N⌋ ..< ⌊B·(r + 1)/N⌋.
    public static func rows(batch: Int, rank: Int, size: Int) -> Range<Int> {
        batch * rank / size ..< batch * (rank + 1) / size
    }

    /// This rank's rows of a batch of `batch` streams.
    public func rows(batch: Int) -> Range<Int> { Self.rows(batch: batch, rank: rank, size: size) }

    /// Throws ``TrainingError/invalidSetting(_:)`` when a batch of `batch` streams cannot give
    /// every rank at least one.
    public func check(batch: Int) throws {
        guard size > batch else { return }
        throw TrainingError.invalidSetting("\(size) processes cannot share a batch of \(batch) streams; give data.batch at least \(size) (it is the whole batch, split across the processes)")
    }

    /// The signal any rank has received (the largest number), so that all stop after the same step.
    public func agreedSignal(_ local: Int32?) throws -> Int32? {
        var value = [Double(local ?? 0)]
        try value.withUnsafeMutableBufferPointer { try communicator.maximum($0) }
        return value[0] == 0 ? nil : Int32(value[0])
    }

    /// The sums over the ranks of `values`.
    public func sum(_ values: [Double]) throws -> [Double] {
        var values = values
        try values.withUnsafeMutableBufferPointer { try communicator.sum($0) }
        return values
    }

    /// The largest over the ranks of each of `values`.
    public func maximum(_ values: [Double]) throws -> [Double] {
        var values = values
        try values.withUnsafeMutableBufferPointer { try communicator.maximum($0) }
        return values
    }

    /// Returns when every rank has called it.
    public func barrier() throws { _ = try sum([0]) }

    /// The carried state of the whole batch on rank 0 (each matrix's rows stacked in rank
    /// order), from every rank's own rows; [] on the other ranks.
    public func gatherState(_ local: [Matrix<Float>], batch: Int) throws -> [Matrix<Float>] {
        let values = try communicator.gather(local.flatMap(\.storage), root: 0)
        guard isWriter, let width = local.first?.cols else { return [] }
        var full = local.map { _ in [Float]() }
        var offset = 0
        for r in 0..<size {
            let count = Self.rows(batch: batch, rank: r, size: size).count * width
            for k in full.indices {
                full[k] += values[offset..<offset + count]
                offset += count
            }
        }
        return try full.map { try Matrix(rows: batch, cols: width, storage: $0) }
    }

    /// This rank's rows of the whole batch's carried state (none when it is empty).
    public func localState(_ full: [Matrix<Float>], batch: Int) throws -> [Matrix<Float>] {
        let rows = rows(batch: batch)
        return try full.map { m in
            guard m.rows == batch else {
                throw TrainingError.resumeMismatch("the checkpoint's hidden state has \(m.rows) rows; the run's batch has \(batch)")
            }
            return try Matrix(rows: rows.count, cols: m.cols, storage: Array(m.storage[rows.lowerBound * m.cols ..< rows.upperBound * m.cols]))
        }
    }
}
