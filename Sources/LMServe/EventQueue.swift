import Foundation

/// A request's events, from the model's thread to the request's handler: the thread pushes
/// (never waits), the handler takes everything pending at once. Under load the handler finds
/// several tokens waiting and writes them in one go, so the cost of a write (a hop to the
/// connection's event loop, a system call) is paid per batch of tokens instead of per token;
/// a lone client still gets each token as soon as it is drawn.
final class EventQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [ModelWorker.Event] = []
    private var finished = false
    private var waiter: CheckedContinuation<[ModelWorker.Event]?, Never>?
    /// Called once when the handler goes away before the events end (its client hung up).
    private var onCancel: (() -> Void)?

    init(onCancel: @escaping () -> Void) { self.onCancel = onCancel }

    /// Adds an event (the model's thread).
    func push(_ event: ModelWorker.Event) {
        lock.lock()
        guard !finished else { return lock.unlock() }
        if let waiter {
            self.waiter = nil
            lock.unlock()
            waiter.resume(returning: [event])
        } else {
            pending.append(event)
            lock.unlock()
        }
    }

    /// No more events (the model's thread).
    func finish() {
        lock.lock()
        finished = true
        onCancel = nil
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume(returning: nil)
    }

    /// Every event pending, waiting for one when there is none; nil once they have ended and
    /// all were taken (or the task was cancelled).
    func next() async -> [ModelWorker.Event]? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<[ModelWorker.Event]?, Never>) in
                lock.lock()
                if !pending.isEmpty {
                    let taken = pending
                    pending.removeAll(keepingCapacity: true)
                    lock.unlock()
                    continuation.resume(returning: taken)
                } else if finished || Task.isCancelled {
                    lock.unlock()
                    continuation.resume(returning: nil)
                } else {
                    waiter = continuation
                    lock.unlock()
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// The handler is gone: drop what is pending, wake a waiting `next()` and tell the model's
    /// thread (once).
    func cancel() {
        lock.lock()
        let cancel = finished ? nil : onCancel
        onCancel = nil
        finished = true
        pending.removeAll()
        let waiter = self.waiter
        self.waiter = nil
        lock.unlock()
        waiter?.resume(returning: nil)
        cancel?()
    }
}
