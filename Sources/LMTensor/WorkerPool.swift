#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A tiny fork-join pool for splitting one product (or one element-wise pass) across the
/// machine's cores with microsecond overhead.
///
/// Workers are persistent threads that spin on an atomic word for a while after each job (a
/// recurrent step hands out work every few tens of µs) and then sleep on a condition
/// variable, so an idle pool costs nothing. Parts are *claimed*, not assigned: the caller
/// takes part indices from the front of a shared range and the first worker from the back
/// (further workers from the front). When all run, each thread gets the same parts at every
/// call (its block of a weight matrix stays in its core's cache); when a worker is
/// descheduled by other processes on the machine, the caller simply runs the remaining
/// parts itself instead of waiting.
///
/// The pool also measures whether the workers help, with a ``ThreadingTuner`` fed per job:
/// a split job's time against its serial estimate (the caller's own pace over all parts).
/// When splitting costs more, a worker is being preempted by other processes mid-part, and
/// jobs run on the calling thread alone until the tuner tries splitting again. On a loaded
/// machine this keeps two threads from being slower than one.
///
/// ``parallelRows(_:width:_:)`` and ``parallelColumns(_:rows:_:)`` split element-wise passes
/// over the pool, and leave passes under ``elementThreshold`` elements on the calling thread.
///
/// Not reentrant: one `run` at a time; a `run` issued while another is in progress (another
/// thread, or from inside a job) runs its parts serially on the calling thread.
public final class WorkerPool: @unchecked Sendable {
    /// The shared pool, with one worker fewer than the process has cores (``UsableProcessors``; threads are started lazily).
    public static let shared = WorkerPool(workers: max(0, UsableProcessors.count - 1))

    /// Number of threads that can work on a job (workers + the calling thread).
    public let width: Int

    /// generation << 40 | first unclaimed part << 20 | one past the last unclaimed part.
    private let state = Atomic<Int>(0)
    private let completed = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var started = false
    /// The current job and its part count; written before `state` publishes a generation and
    /// constant until every part of it has completed.
    private nonisolated(unsafe) var job: ((Int) -> Void)? = nil
    /// Seconds a worker spins after its last part before it sleeps (50 µs covers the gaps
    /// between the steps of a window; a sleeping worker costs a futex wake, ~10 µs, and no CPU
    /// that other processes, or this one's serial fallback, could use).
    public nonisolated(unsafe) var spinSeconds = 50e-6
    /// Element-wise passes over fewer elements than this run on the calling thread (a
    /// hand-off costs ~1 µs); tests lower it to exercise the split path at small sizes.
    public nonisolated(unsafe) var elementThreshold = 8192
    /// Whether splitting jobs pays; touched only by the caller of `run`.
    private nonisolated(unsafe) var tuner = ThreadingTuner()
    /// Times the pool went over to running jobs on the calling thread because splitting was
    /// measured to cost more (public for tests and benchmarks to read).
    public private(set) nonisolated(unsafe) var serialFallbacks = 0
    /// Total seconds the caller spent on its own parts and waiting for workers' parts.
    public private(set) nonisolated(unsafe) var totalWork = 0.0, totalWait = 0.0
    /// Parallel jobs run, and parts run by workers.
    public private(set) nonisolated(unsafe) var parallelJobs = 0
    private let workerParts = Atomic<Int>(0)
    /// Parts run by workers so far.
    public var partsRunByWorkers: Int { workerParts.load(ordering: .relaxed) }

    private static let shift = 40
    private static let mask = (1 << 20) - 1

    init(workers: Int) {
        width = workers + 1
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    private func start() {
        started = true
        for index in 1..<width {
            let t = Thread { [unowned self] in self.workerLoop(fromBack: index == 1) }
            t.name = "lmkit-worker-\(index)"
            t.start()
        }
    }

    /// Claims and runs parts of generation `generation` until none is left, from the back of
    /// the range when `fromBack`; returns how many parts it ran.
    @inline(__always) @discardableResult
    private func work(generation: Int, fromBack: Bool) -> Int {
        var ran = 0
        while true {
            let s = state.load(ordering: .acquiring)
            guard s >> Self.shift == generation else { return ran }
            let lo = (s >> 20) & Self.mask, hi = s & Self.mask
            guard lo < hi else { return ran }
            let part = fromBack ? hi - 1 : lo
            let desired = fromBack ? s - 1 : s + (1 << 20)
            let (exchanged, _) = state.compareExchange(expected: s, desired: desired, ordering: .acquiringAndReleasing)
            if !exchanged { continue }
            job!(part)
            ran += 1
            if fromBack { workerParts.add(1, ordering: .relaxed) }
            completed.add(1, ordering: .releasing)
        }
    }

    private func workerLoop(fromBack: Bool) {
        var seen = 0
        while true {
            var spins = 0
            var spinStart = MonotonicClock.seconds()
            var s = state.load(ordering: .sequentiallyConsistent)
            while s >> Self.shift == seen {
                // Pure spinning: a sched_yield here hands the core to another process for a
                // whole time slice on a loaded machine, and the caller then runs every part
                // itself (the worker then ran only a small share of the parts).
                spins += 1
                if spins & 255 == 0 && MonotonicClock.seconds() - spinStart > spinSeconds {
                    pthread_mutex_lock(&mutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while state.load(ordering: .sequentiallyConsistent) >> Self.shift == seen {
                        pthread_cond_wait(&condition, &mutex)
                    }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(&mutex)
                    spins = 0
                    spinStart = MonotonicClock.seconds()
                }
                s = state.load(ordering: .sequentiallyConsistent)
            }
            seen = s >> Self.shift
            work(generation: seen, fromBack: fromBack)
        }
    }

    /// Runs `body(part)` for every part in 0..<parts, in parallel on up to ``width`` threads
    /// (the caller included), and returns when all have finished.
    public func run(parts count: Int, _ body: (Int) -> Void) {
        if count <= 1 || width <= 1 || busy.exchange(true, ordering: .acquiring) {
            for p in 0..<count { body(p) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        if !tuner.parallel {
            for p in 0..<count { body(p) }
            tuner.record(split: nil)
            return
        }
        if !started { start() }
        withoutActuallyEscaping(body) { escaping in
            job = escaping
            completed.store(0, ordering: .relaxed)
            let generation = ((state.load(ordering: .relaxed) >> Self.shift) + 1) & ((1 << 23) - 1)
            state.store(generation << Self.shift | count, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(&mutex)
                pthread_cond_broadcast(&condition)
                pthread_mutex_unlock(&mutex)
            }
            let t0 = MonotonicClock.seconds()
            let mine = work(generation: generation, fromBack: false)
            let t1 = MonotonicClock.seconds()
            // Parts claimed by workers may still be running.
            var spins = 0
            while completed.load(ordering: .acquiring) < count {
                spins += 1
                if spins > 4000 { sched_yield() }
            }
            job = nil
            let t2 = MonotonicClock.seconds()
            totalWork += t1 - t0
            totalWait += t2 - t1
            parallelJobs += 1
            // On the calling thread alone the job would take its pace times all parts.
            let serial = mine > 0 ? (t1 - t0) * Double(count) / Double(mine) : t2 - t0
            tuner.record(split: (time: t2 - t0, serialEstimate: serial))
            if !tuner.parallel { serialFallbacks += 1 }
        }
    }

    /// Runs `body` over blocks of `rows` rows (each `width` elements wide), one block per
    /// thread (``BLAS/threads`` at most), or over all rows inline when the pass is under
    /// ``elementThreshold`` elements or has one row.
    @inlinable
    public func parallelRows(_ rows: Int, width: Int, _ body: (Range<Int>) -> Void) {
        let parts = min(self.width, BLAS.threads)
        if parts <= 1 || rows < 2 || rows * width < elementThreshold {
            body(0..<rows)
            return
        }
        run(parts: parts) { p in
            let chunk = (rows + parts - 1) / parts
            let lo = min(p * chunk, rows), hi = min(lo + chunk, rows)
            if lo < hi { body(lo..<hi) }
        }
    }

    /// Runs `body` over blocks of `width` columns (multiples of 16), one block per thread,
    /// for passes over `rows` rows whose rows may collide (scatter-adds); inline under
    /// ``elementThreshold`` elements or 32 columns.
    @inlinable
    public func parallelColumns(_ width: Int, rows: Int, _ body: (Range<Int>) -> Void) {
        let parts = min(self.width, BLAS.threads)
        if parts <= 1 || width < 32 || rows * width < elementThreshold {
            body(0..<width)
            return
        }
        run(parts: parts) { p in
            let chunk = ((width + parts - 1) / parts + 15) / 16 * 16
            let lo = min(p * chunk, width), hi = min(lo + chunk, width)
            if lo < hi { body(lo..<hi) }
        }
    }
}
