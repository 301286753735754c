#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization

/// A tiny fork-join pool for splitting one product (or one element-wise pass) across the
/// machine's cores with microsecond overhead: the workers are persistent threads that spin
/// on an atomic generation counter for a while after each job (a recurrent step hands out
/// work every ~50 µs) and then sleep on a condition variable, so an idle pool costs nothing.
///
/// Not reentrant: one `run` at a time (the training loop is single-threaded); a `run` from
/// inside a job runs serially.
public final class WorkerPool: @unchecked Sendable {
    /// The shared pool, with `activeProcessorCount − 1` workers (threads are started lazily).
    public static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// Number of parts a job can be split into (workers + the calling thread).
    public let width: Int

    private let generation = Atomic<Int>(0)
    private let remaining = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var started = false
    /// The current job; written before `generation` is bumped, read after it is observed.
    private nonisolated(unsafe) var job: ((Int) -> Void)? = nil
    /// Spins before sleeping (each spin is one atomic load).
    public nonisolated(unsafe) var spinLimit = 200_000

    init(workers: Int) {
        width = workers + 1
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&condition, nil)
    }

    private func start() {
        started = true
        for index in 1..<width {
            let t = Thread { [unowned self] in self.workerLoop(index) }
            t.name = "lmkit-worker-\(index)"
            t.start()
        }
    }

    private func workerLoop(_ index: Int) {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .sequentiallyConsistent) == seen {
                spins += 1
                if spins & 1023 == 0 { sched_yield() }
                if spins >= spinLimit {
                    pthread_mutex_lock(&mutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while generation.load(ordering: .sequentiallyConsistent) == seen {
                        pthread_cond_wait(&condition, &mutex)
                    }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(&mutex)
                    spins = 0
                }
            }
            seen = generation.load(ordering: .acquiring)
            job!(index)
            remaining.subtract(1, ordering: .releasing)
        }
    }

    /// Runs `body(part)` for part in 0..<parts (parts ≤ ``width``) in parallel, part 0 on
    /// the calling thread, and returns when all have finished.
    public func run(parts requested: Int, _ body: (Int) -> Void) {
        let parts = min(requested, width)
        if parts <= 1 || busy.exchange(true, ordering: .acquiring) {
            for p in 0..<requested { body(p) }
            return
        }
        defer { busy.store(false, ordering: .releasing) }
        if !started { start() }
        withoutActuallyEscaping(body) { escaping in
            // Workers beyond `parts` run a no-op part.
            job = { p in if p < parts { escaping(p) } }
            remaining.store(width - 1, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(&mutex)
                pthread_cond_broadcast(&condition)
                pthread_mutex_unlock(&mutex)
            }
            escaping(0)
            // Spin; after a while yield, in case a worker was preempted onto this core.
            var spins = 0
            while remaining.load(ordering: .acquiring) > 0 {
                spins += 1
                if spins > 4000 { sched_yield() }
            }
            job = nil
        }
    }
}
