import Foundation
import LMTraining

/// A ``Communicator`` over Open MPI's `MPI_COMM_WORLD` (``OpenMPI``, loaded at run time).
///
/// Start the processes with `mpirun -np N`; without mpirun, `MPI_Init` makes a one-rank world.
/// Call ``finish()`` once every rank is done (mpirun reports a rank that exits without it as
/// a failure). Call the operations from one thread at a time; every rank makes the same calls
/// in the same order with the same sizes (``Communicator``). A failing MPI call throws
/// ``MPIError/callFailed(call:code:message:)`` (`MPI_ERRORS_RETURN` on `MPI_COMM_WORLD`); the
/// rank then exits with status 1 and mpirun ends the others.
public final class MPICommunicator: Communicator {
    public let rank: Int
    public let size: Int
    private let mpi: OpenMPI
    /// The most elements one reduction call takes, and the most bytes one broadcast call sends.
    private let reduceChunk: Int
    private let broadcastChunk: Int

    /// Loads Open MPI (`libmpi.so.40`, else `libmpi.so`; `LMKIT_MPI_LIBRARY=path` loads only
    /// that path) and calls `MPI_Init` (unless this process already has); rank and size are
    /// those of `MPI_COMM_WORLD`.
    public convenience init() throws(MPIError) {
        try self.init(chunkLimit: nil)
    }

    /// As ``init()``, with every reduction and broadcast split into calls of at most
    /// `chunkLimit` elements (bytes for a broadcast), to test the splitting on small buffers;
    /// nil: `Int32.max` elements per reduction, 1 GiB per broadcast call.
    public init(chunkLimit: Int?) throws(MPIError) {
        let mpi = try OpenMPI.shared()
        var flag: Int32 = 0
        try mpi.check(mpi.finalized(&flag), "MPI_Finalized")
        if flag != 0 { throw .alreadyFinalized }
        try mpi.check(mpi.initialized(&flag), "MPI_Initialized")
        if flag == 0 { try mpi.check(mpi.initialize(nil, nil), "MPI_Init") }
        // A failing call returns its code (thrown as MPIError) instead of aborting the job.
        try mpi.check(mpi.setErrhandler(mpi.commWorld, mpi.errorsReturn), "MPI_Comm_set_errhandler")
        var r: Int32 = 0, s: Int32 = 0
        try mpi.check(mpi.commRank(mpi.commWorld, &r), "MPI_Comm_rank")
        try mpi.check(mpi.commSize(mpi.commWorld, &s), "MPI_Comm_size")
        self.mpi = mpi
        rank = Int(r)
        size = Int(s)
        reduceChunk = Swift.max(1, Swift.min(chunkLimit ?? Int(Int32.max), Int(Int32.max)))
        broadcastChunk = Swift.max(1, Swift.min(chunkLimit ?? 1 << 30, 1 << 30))
    }

    /// Whether mpirun started this process (its environment has `OMPI_COMM_WORLD_SIZE`).
    public static var launchedByMPI: Bool {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"] != nil
    }

    /// The number of processes mpirun started (`OMPI_COMM_WORLD_SIZE`), before loading MPI;
    /// nil when not started by mpirun.
    public static var worldSize: Int? {
        ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_SIZE"].flatMap { Int($0) }
    }

    /// The path or soname of the Open MPI library in use.
    public var library: String { mpi.library }

    public func sum(_ buffer: UnsafeMutableBufferPointer<Float>) throws {
        try reduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, stride: MemoryLayout<Float>.stride,
                   type: mpi.float, op: mpi.sum)
    }

    public func sum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        try reduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, stride: MemoryLayout<Double>.stride,
                   type: mpi.double, op: mpi.sum)
    }

    public func maximum(_ buffer: UnsafeMutableBufferPointer<Double>) throws {
        try reduce(UnsafeMutableRawPointer(buffer.baseAddress), count: buffer.count, stride: MemoryLayout<Double>.stride,
                   type: mpi.double, op: mpi.max)
    }

    /// `MPI_Allreduce` in place over `count` elements at `base`, in calls of at most `reduceChunk`.
    private func reduce(_ base: UnsafeMutableRawPointer?, count: Int, stride: Int,
                        type: OpenMPI.Handle, op: OpenMPI.Handle) throws(MPIError) {
        guard let base, count > 0 else { return }
        var start = 0
        while start < count {
            let n = Swift.min(reduceChunk, count - start)
            try mpi.check(mpi.allreduce(OpenMPI.inPlace, base + start * stride, Int32(n), type, op, mpi.commWorld),
                          "MPI_Allreduce")
            start += n
        }
    }

    public func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8] {
        try checkRoot(root)
        var length = Int64(rank == root ? bytes.count : 0)
        try mpi.check(mpi.bcast(&length, 1, mpi.int64, Int32(root), mpi.commWorld), "MPI_Bcast")
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(length))
        let chunk = broadcastChunk
        try result.withUnsafeMutableBytes { (buffer: UnsafeMutableRawBufferPointer) throws in
            guard let base = buffer.baseAddress else { return }
            var start = 0
            while start < buffer.count {
                let n = Swift.min(chunk, buffer.count - start)
                try mpi.check(mpi.bcast(base + start, Int32(n), mpi.byte, Int32(root), mpi.commWorld), "MPI_Bcast")
                start += n
            }
        }
        return result
    }

    public func gather(_ values: [Float], root: Int) throws -> [Float] {
        try checkRoot(root)
        var count = Int64(values.count)
        var counts = [Int64](repeating: 0, count: rank == root ? size : 0)
        try counts.withUnsafeMutableBufferPointer { (all: inout UnsafeMutableBufferPointer<Int64>) throws in
            try mpi.check(mpi.gather(&count, 1, mpi.int64, all.baseAddress, 1, mpi.int64, Int32(root), mpi.commWorld),
                          "MPI_Gather")
        }
        let total = counts.reduce(0, +)
        // Every rank must learn whether the gather can go ahead, or the others would wait for it.
        var tooLarge = Int64(total > Int64(Int32.max) || count > Int64(Int32.max) ? 1 : 0)
        try mpi.check(mpi.bcast(&tooLarge, 1, mpi.int64, Int32(root), mpi.commWorld), "MPI_Bcast")
        if tooLarge != 0 || count > Int64(Int32.max) { throw MPIError.gatherTooLarge(total: Int(Swift.max(total, count))) }

        var result = [Float](repeating: 0, count: Int(total))
        let counts32 = counts.map { Int32($0) }
        var displacements = [Int32](repeating: 0, count: counts32.count)
        for i in counts32.indices.dropFirst() { displacements[i] = displacements[i - 1] + counts32[i - 1] }
        try values.withUnsafeBufferPointer { (send: UnsafeBufferPointer<Float>) throws in
            try result.withUnsafeMutableBufferPointer { (receive: inout UnsafeMutableBufferPointer<Float>) throws in
                // A rank with nothing to send or receive may pass nil; MPI then reads no data.
                try mpi.check(mpi.gatherv(send.baseAddress, Int32(send.count), mpi.float, receive.baseAddress,
                                          counts32, displacements, mpi.float, Int32(root), mpi.commWorld),
                              "MPI_Gatherv")
            }
        }
        return result
    }

    /// Ends MPI in this process (`MPI_Finalize`); later calls, from this communicator or
    /// another, do nothing. No operation may follow.
    public func finish() throws(MPIError) {
        var flag: Int32 = 0
        try mpi.check(mpi.finalized(&flag), "MPI_Finalized")
        if flag != 0 { return }
        try mpi.check(mpi.finalize(), "MPI_Finalize")
    }

    /// Ends every rank of the run with exit status `code` (`MPI_Abort`): for an error on one
    /// rank that the others, waiting in a collective, would never learn of.
    public func abort(code: Int32) -> Never {
        _ = mpi.abort(mpi.commWorld, code)
        exit(code)
    }

    private func checkRoot(_ root: Int) throws(MPIError) {
        guard (0..<size).contains(root) else { throw .invalidRoot(root: root, size: size) }
    }
}
