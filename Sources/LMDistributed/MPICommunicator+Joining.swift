import LMTraining

extension MPICommunicator {
    /// Runs `body` as one process of an Open MPI job when mpirun started this process (or
    /// `requested` asks), with the job's ``DataParallel`` (nil for a one-process job), then
    /// finishes MPI; otherwise runs `body(nil)` without loading MPI. Fails when Open MPI cannot
    /// be loaded.
    public static func joining<T>(if requested: Bool, _ body: (DataParallel?) throws -> T) throws -> T {
        guard requested || launchedByMPI else { return try body(nil) }
        let communicator = try MPICommunicator()
        let result = try body(communicator.size > 1 ? DataParallel(communicator) : nil)
        try communicator.finish()
        return result
    }
}
