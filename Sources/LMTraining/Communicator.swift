/// The processes of one data-parallel run and the collective operations the trainer needs
/// from them (an MPI communicator, as Open MPI's `MPI_COMM_WORLD`). Every rank calls each
/// operation in the same order with the same sizes; a call returns when all ranks have made it.
public protocol Communicator: AnyObject {
    /// This process's index, 0 ..< `size`. Rank 0 writes the run directory.
    var rank: Int { get }
    /// The number of processes.
    var size: Int { get }
    /// Replaces `buffer`, on every rank, by the elementwise sum of all ranks' buffers.
    func sum(_ buffer: UnsafeMutableBufferPointer<Float>) throws
    /// Replaces `buffer`, on every rank, by the elementwise sum of all ranks' buffers.
    func sum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// Replaces `buffer`, on every rank, by the elementwise maximum of all ranks' buffers.
    func maximum(_ buffer: UnsafeMutableBufferPointer<Double>) throws
    /// Rank `root`'s `bytes` (of any length), returned on every rank; other ranks' arguments are ignored.
    func broadcast(_ bytes: [UInt8], root: Int) throws -> [UInt8]
    /// Every rank's `values` (each of any length), concatenated in rank order, returned on
    /// `root`; the other ranks get [].
    func gather(_ values: [Float], root: Int) throws -> [Float]
}
