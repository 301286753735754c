import Foundation

/// Open MPI's C API, loaded at run time with `dlopen`, so LMKit builds and runs on a machine
/// without MPI and needs it only for a data-parallel run.
///
/// This binds **Open MPI's ABI**: its handles (`MPI_Comm`, `MPI_Datatype`, `MPI_Op`) are
/// pointers, and the predefined ones are the addresses of global objects such as
/// `ompi_mpi_comm_world` (what `MPI_COMM_WORLD` expands to in Open MPI's `mpi.h`);
/// `MPI_IN_PLACE` is `(void *)1`. MPICH and its derivatives use integer handles and other
/// constants, so they cannot be loaded through this type.
///
/// The library is `LMKIT_MPI_LIBRARY` when that is set (only that path, so a missing library
/// can be simulated with `LMKIT_MPI_LIBRARY=/nonexistent.so`), else `libmpi.so.40`, then
/// `libmpi.so`. It is opened `RTLD_NOW | RTLD_GLOBAL`: Open MPI's plugins, which it loads
/// itself, resolve symbols of `libmpi` globally.
final class OpenMPI: @unchecked Sendable {  // immutable after loading; MPI serialises the calls
    typealias Handle = UnsafeMutableRawPointer
    typealias InitFn = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Int32
    typealias FlagFn = @convention(c) (UnsafeMutablePointer<Int32>) -> Int32
    typealias FinalizeFn = @convention(c) () -> Int32
    typealias CommIntFn = @convention(c) (Handle, UnsafeMutablePointer<Int32>) -> Int32
    /// sendbuf, recvbuf, count, datatype, op, comm.
    typealias AllreduceFn = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?, Int32, Handle, Handle, Handle) -> Int32
    /// buffer, count, datatype, root, comm.
    typealias BcastFn = @convention(c) (UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    /// sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm.
    typealias GatherFn = @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?, Int32, Handle, Int32, Handle) -> Int32
    /// sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, root, comm.
    typealias GathervFn = @convention(c) (UnsafeRawPointer?, Int32, Handle, UnsafeMutableRawPointer?,
                                          UnsafePointer<Int32>?, UnsafePointer<Int32>?, Handle, Int32, Handle) -> Int32
    typealias AbortFn = @convention(c) (Handle, Int32) -> Int32
    /// comm, errhandler.
    typealias SetErrhandlerFn = @convention(c) (Handle, Handle) -> Int32
    /// errorcode, string (MPI_MAX_ERROR_STRING bytes), resultlen.
    typealias ErrorStringFn = @convention(c) (Int32, UnsafeMutablePointer<CChar>, UnsafeMutablePointer<Int32>) -> Int32

    /// `MPI_SUCCESS`.
    static let success: Int32 = 0
    /// `MPI_MAX_ERROR_STRING` in Open MPI.
    static let maxErrorString = 256
    /// `MPI_IN_PLACE` in Open MPI.
    static var inPlace: UnsafeRawPointer { UnsafeRawPointer(bitPattern: 1)! }

    /// The path or soname that was opened.
    let library: String
    let initialize: InitFn
    let initialized: FlagFn
    let finalized: FlagFn
    let finalize: FinalizeFn
    let commRank: CommIntFn
    let commSize: CommIntFn
    let allreduce: AllreduceFn
    let bcast: BcastFn
    let gather: GatherFn
    let gatherv: GathervFn
    let abort: AbortFn
    let setErrhandler: SetErrhandlerFn
    let errorString: ErrorStringFn
    /// `MPI_COMM_WORLD`.
    let commWorld: Handle
    /// `MPI_FLOAT`, `MPI_DOUBLE`, `MPI_BYTE`, `MPI_INT64_T`, `MPI_INT`.
    let float: Handle, double: Handle, byte: Handle, int64: Handle, int: Handle
    /// `MPI_SUM`, `MPI_MAX`.
    let sum: Handle, max: Handle
    /// `MPI_ERRORS_RETURN`.
    let errorsReturn: Handle

    /// The process's one binding, loaded on first use; the error if loading failed.
    static func shared() throws(MPIError) -> OpenMPI {
        switch loaded {
        case let .success(mpi): return mpi
        case let .failure(error): throw error
        }
    }

    private static let loaded: Result<OpenMPI, MPIError> = {
        do throws(MPIError) { return .success(try OpenMPI(environment: ProcessInfo.processInfo.environment)) } catch { return .failure(error) }
    }()

    /// The library names tried, in order.
    static func candidates(environment: [String: String]) -> [String] {
        if let path = environment["LMKIT_MPI_LIBRARY"], !path.isEmpty { return [path] }
        return ["libmpi.so.40", "libmpi.so"]
    }

    private init(environment: [String: String]) throws(MPIError) {
        let names = OpenMPI.candidates(environment: environment)
        var opened: (UnsafeMutableRawPointer, String)?
        var reason = "not found"
        for name in names {
            if let h = dlopen(name, RTLD_NOW | RTLD_GLOBAL) { opened = (h, name); break }
            reason = dlerror().map { String(cString: $0) } ?? "not found"
        }
        guard let (h, name) = opened else { throw .libraryNotLoadable(tried: names, reason: reason) }
        func address(_ symbol: String) throws(MPIError) -> UnsafeMutableRawPointer {
            guard let p = dlsym(h, symbol) else { throw .missingSymbol(symbol: symbol, library: name) }
            return p
        }
        func function<F>(_ symbol: String, _: F.Type) throws(MPIError) -> F {
            unsafeBitCast(try address(symbol), to: F.self)
        }
        library = name
        initialize = try function("MPI_Init", InitFn.self)
        initialized = try function("MPI_Initialized", FlagFn.self)
        finalized = try function("MPI_Finalized", FlagFn.self)
        finalize = try function("MPI_Finalize", FinalizeFn.self)
        commRank = try function("MPI_Comm_rank", CommIntFn.self)
        commSize = try function("MPI_Comm_size", CommIntFn.self)
        allreduce = try function("MPI_Allreduce", AllreduceFn.self)
        bcast = try function("MPI_Bcast", BcastFn.self)
        gather = try function("MPI_Gather", GatherFn.self)
        gatherv = try function("MPI_Gatherv", GathervFn.self)
        abort = try function("MPI_Abort", AbortFn.self)
        setErrhandler = try function("MPI_Comm_set_errhandler", SetErrhandlerFn.self)
        errorString = try function("MPI_Error_string", ErrorStringFn.self)
        commWorld = try address("ompi_mpi_comm_world")
        float = try address("ompi_mpi_float")
        double = try address("ompi_mpi_double")
        byte = try address("ompi_mpi_byte")
        int64 = try address("ompi_mpi_int64_t")
        int = try address("ompi_mpi_int")
        sum = try address("ompi_mpi_op_sum")
        max = try address("ompi_mpi_op_max")
        errorsReturn = try address("ompi_mpi_errors_return")
    }

    /// Throws ``MPIError/callFailed(call:code:message:)`` unless `code` is `MPI_SUCCESS`.
    func check(_ code: Int32, _ call: String) throws(MPIError) {
        guard code != OpenMPI.success else { return }
        var text = [CChar](repeating: 0, count: OpenMPI.maxErrorString + 1)
        var length: Int32 = 0
        let message = text.withUnsafeMutableBufferPointer { buffer -> String in
            guard errorString(code, buffer.baseAddress!, &length) == OpenMPI.success else { return "unknown error" }
            return String(cString: buffer.baseAddress!)
        }
        throw .callFailed(call: call, code: code, message: message)
    }
}
