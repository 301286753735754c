/// What can go wrong talking to Open MPI, each with a message a user can act on.
public enum MPIError: Error, CustomStringConvertible, Equatable {
    /// No candidate library could be opened; `tried` are the names given to `dlopen`,
    /// `reason` what `dlerror` said for the last one.
    case libraryNotLoadable(tried: [String], reason: String)
    /// `library` opened but lacks `symbol` (not Open MPI, or an incompatible version).
    case missingSymbol(symbol: String, library: String)
    /// An MPI call returned `code` (not `MPI_SUCCESS`); `message` is `MPI_Error_string`'s text.
    case callFailed(call: String, code: Int32, message: String)
    /// `MPI_Finalize` already ran in this process, and MPI cannot be started again.
    case alreadyFinalized
    /// A root rank outside 0 ..< size.
    case invalidRoot(root: Int, size: Int)
    /// A gather whose total element count does not fit MPI's 32-bit counts and displacements.
    case gatherTooLarge(total: Int)

    public var description: String {
        switch self {
        case let .libraryNotLoadable(tried, reason):
            return "cannot load Open MPI (tried \(tried.joined(separator: ", ")); \(reason)); install Open MPI (Debian: openmpi-bin libopenmpi-dev; bin/setup installs them) and start with mpirun"
        case let .missingSymbol(symbol, library):
            return "\(library) has no symbol \(symbol); LMKit needs Open MPI 4 or later (not MPICH), or point LMKIT_MPI_LIBRARY at Open MPI's libmpi.so"
        case let .callFailed(call, code, message):
            return "\(call) failed with MPI error \(code): \(message)"
        case .alreadyFinalized:
            return "MPI was already finalized in this process; create the MPICommunicator once and call finish() only at the end of the run"
        case let .invalidRoot(root, size):
            return "root rank \(root) is not one of the \(size) ranks (0 ..< \(size))"
        case let .gatherTooLarge(total):
            return "gather of \(total) floats in total exceeds MPI's limit of \(Int32.max) elements; gather fewer values"
        }
    }
}
