import Foundation
import LMGeneration
import LMKit

/// One served model's generation thread: it owns the model's ``GenerationBatch`` and runs one
/// step at a time for every sequence in flight. Requests join the batch between steps (up to
/// `limits.rows` rows; beyond that they wait in a queue of `limits.queue`), and leave it when
/// they finish or their client goes away. Work that cannot share a step (scoring, a model
/// without a single step) runs on the same thread between steps, so the model is only ever
/// used from this thread.
final class ModelWorker: @unchecked Sendable {
    /// What a sequence's client receives, in order.
    enum Event: Sendable {
        case token(choice: Int, piece: String, logProbability: Double?, alternatives: [Alternative])
        /// The choice ran to its length.
        case finished(choice: Int)
        /// The choice ended at the end-of-sequence token (beam search with stop at `<eos>`).
        case stopped(choice: Int)
        case failed(APIError)
    }

    /// One of the most likely tokens at a position, with its ln p.
    struct Alternative: Sendable {
        let token: String
        let logProbability: Double
    }

    /// A request's sequences, as asked.
    struct Job: Sendable {
        let prefix: Generator.Prefix
        let length: Int
        let sampling: SamplingOptions
        /// Choice i draws with seed + i.
        let seed: UInt64
        let choices: Int
        let alternatives: Int?
    }

    /// A request waiting or in flight.
    private final class Request {
        let id: Int
        let job: Job
        let events: EventQueue
        var tickets: [GenerationBatch.Ticket: Int] = [:]
        /// Choices counted in the worker's load and not yet done.
        var remaining: Int
        init(id: Int, job: Job, events: EventQueue) {
            self.id = id
            self.job = job
            self.events = events
            remaining = job.choices
        }
    }

    let name: String
    let model: LanguageModel
    private let limits: ServerSettings.Limits
    private let condition = NSCondition()
    // Guarded by `condition`:
    private var waiting: [Request] = []
    private var cancelled: Set<Int> = []
    private var tasks: [() -> Void] = []
    private var inFlight = 0
    private var stopping = false
    private var nextID = 0
    // The worker thread's own:
    private var running: [Int: Request] = [:]
    private var owner: [GenerationBatch.Ticket: Request] = [:]
    private let batch: GenerationBatch?
    private var thread: Thread?

    init(name: String, model: LanguageModel, limits: ServerSettings.Limits) {
        self.name = name
        self.model = model
        self.limits = limits
        batch = GenerationBatch(generator: model.generator, capacity: limits.rows)
    }

    /// Starts the thread.
    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "lm-serve \(name)"
        thread.stackSize = 8 << 20
        self.thread = thread
        thread.start()
    }

    /// Stops the thread once the work in flight is done.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sequences waiting or in flight.
    var load: Int {
        condition.lock()
        defer { condition.unlock() }
        return inFlight
    }

    /// Queues `job`; its events arrive on the returned queue. Throws a 429 when the rows and the queue
    /// are full, a 503 when the server is shutting down.
    func submit(_ job: Job) throws -> EventQueue {
        condition.lock()
        defer { condition.unlock() }
        try admit(sequences: job.choices)
        let id = nextID
        nextID += 1
        let events = EventQueue { [weak self] in self?.cancel(id) }
        inFlight += job.choices
        waiting.append(Request(id: id, job: job, events: events))
        condition.signal()
        return events
    }

    /// Runs `work` on the worker thread between steps (it may use the model) and returns its result.
    func perform<T: Sendable>(_ work: @escaping @Sendable (LanguageModel) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            condition.lock()
            defer { condition.unlock() }
            do {
                try admit(sequences: 1)
            } catch {
                continuation.resume(throwing: error)
                return
            }
            inFlight += 1
            tasks.append { [model] in continuation.resume(with: Result { try work(model) }) }
            condition.signal()
        }
    }

    /// Throws unless `sequences` more fit in the rows and the queue (lock held).
    private func admit(sequences: Int) throws {
        if stopping {
            throw APIError(.serviceUnavailable, "the server is shutting down", type: "server_error", code: "shutting_down", retryAfter: 5)
        }
        guard inFlight + sequences <= limits.rows + limits.queue else {
            throw APIError(.tooManyRequests, "model \(name) is at its limit (\(limits.rows) sequences running, \(limits.queue) waiting); retry shortly",
                           type: "rate_limit_error", code: "overloaded", retryAfter: 1)
        }
    }

    /// Drops request `id` (its client went away): waiting, it never starts; running, its rows
    /// leave at the next step.
    func cancel(_ id: Int) {
        condition.lock()
        cancelled.insert(id)
        condition.signal()
        condition.unlock()
    }

    // MARK: - The thread

    private func loop() {
        while true {
            condition.lock()
            while waiting.isEmpty && tasks.isEmpty && cancelled.isEmpty && running.isEmpty && !stopping { condition.wait() }
            if stopping && waiting.isEmpty && tasks.isEmpty && running.isEmpty {
                condition.unlock()
                return
            }
            let dropped = cancelled
            cancelled.removeAll()
            waiting.removeAll { request in
                guard dropped.contains(request.id) else { return false }
                inFlight -= request.job.choices
                return true
            }
            let work = tasks
            tasks.removeAll()
            var starting: [Request] = []
            if let batch {
                var free = batch.capacity - batch.count + dropped.reduce(0) { $0 + (running[$1]?.tickets.count ?? 0) }
                while let first = waiting.first, first.job.choices <= free {
                    free -= first.job.choices
                    starting.append(waiting.removeFirst())
                }
            } else {
                starting = waiting
                waiting.removeAll()
            }
            condition.unlock()

            for id in dropped { if let request = running[id] { finish(request) } }
            for task in work {
                task()
                release(1)
            }
            for request in starting { start(request) }
            step()
        }
    }

    /// Puts a request's choices into the batch, or (no batch) runs it whole.
    private func start(_ request: Request) {
        let job = request.job
        guard let batch, job.sampling.beamSearch == nil else {
            runAlone(request)
            return
        }
        running[request.id] = request
        for choice in 0..<job.choices {
            do {
                let ticket = try batch.add(job.prefix, length: job.length, sampling: job.sampling, seed: job.seed &+ UInt64(choice),
                                           alternatives: job.alternatives)
                request.tickets[ticket] = choice
                owner[ticket] = request
            } catch {
                request.events.push(.failed(APIError(.badRequest, String(describing: error), code: "invalid_value")))
                finish(request)
                return
            }
        }
    }

    /// One step of the batch, its tokens sent to their requests.
    private func step() {
        guard let batch, batch.count > 0 else { return }
        batch.step { event in
            switch event {
            case let .token(token):
                guard let request = owner[token.ticket], let choice = request.tickets[token.ticket] else { return }
                request.events.push(.token(choice: choice, piece: token.piece, logProbability: token.logProbability,
                                            alternatives: token.alternatives.map { Alternative(token: $0.token, logProbability: $0.logProbability) }))
                if token.isLast {
                    request.events.push(.finished(choice: choice))
                    retire(token.ticket, of: request)
                }
            case let .failed(ticket, error):
                guard let request = owner[ticket] else { return }
                request.events.push(.failed(APIError(.internalServerError, error.description, type: "server_error", code: "model_error")))
                retire(ticket, of: request)
                finish(request)
            }
        }
    }

    /// A choice is done: its row has left the batch.
    private func retire(_ ticket: GenerationBatch.Ticket, of request: Request) {
        owner[ticket] = nil
        request.tickets[ticket] = nil
        request.remaining -= 1
        release(1)
        if request.remaining == 0 {
            running[request.id] = nil
            request.events.finish()
        }
    }

    /// Ends a request early: its rows leave the batch, its choices leave the load.
    private func finish(_ request: Request) {
        for ticket in request.tickets.keys {
            batch?.remove(ticket)
            owner[ticket] = nil
        }
        request.tickets.removeAll()
        release(request.remaining)
        request.remaining = 0
        running[request.id] = nil
        request.events.finish()
    }

    /// A request that cannot share the batch's step (beam search, or a model without a single
    /// step), run whole on this thread: beam search's best `n` hypotheses, else each choice
    /// through the generator alone, as `lm-generate` runs them.
    private func runAlone(_ request: Request) {
        let job = request.job, generator = model.generator
        do {
            if let search = job.sampling.beamSearch {
                let hypotheses = try generator.beamSearch(prefix: job.prefix.ids, length: job.length, search: search)
                for (choice, hypothesis) in hypotheses.prefix(job.choices).enumerated() {
                    var previous = job.prefix.ids.last
                    for id in hypothesis.textTokens {
                        request.events.push(.token(choice: choice, piece: generator.detokenizer.piece(id, after: previous),
                                                    logProbability: nil, alternatives: []))
                        previous = id
                    }
                    request.events.push(hypothesis.finished ? .stopped(choice: choice) : .finished(choice: choice))
                }
            } else {
                for choice in 0..<job.choices {
                    try generator.continue(job.prefix, length: job.length, sampling: job.sampling, seed: job.seed &+ UInt64(choice)) { piece in
                        request.events.push(.token(choice: choice, piece: piece, logProbability: nil, alternatives: []))
                    }
                    request.events.push(.finished(choice: choice))
                }
            }
        } catch {
            request.events.push(.failed(APIError(.internalServerError, String(describing: error), type: "server_error", code: "model_error")))
        }
        request.events.finish()
        release(job.choices)
    }

    private func release(_ sequences: Int) {
        condition.lock()
        inFlight -= sequences
        condition.unlock()
    }
}

extension ModelWorker {
    /// `text` read as this model reads a prompt (``Generator/encode(prefix:strict:continuingLine:)``),
    /// refused with a 400 naming `field` when it cannot be read or holds more than `limit` tokens.
    func read(_ text: String, field: String, limit: Int, continuingLine: Bool = false) throws -> Generator.Prefix {
        let prefix: Generator.Prefix
        do {
            prefix = try model.generator.encode(prefix: text, continuingLine: continuingLine)
        } catch {
            throw APIError.invalid(field, "cannot be read: \(error)")
        }
        guard prefix.ids.count <= limit else {
            throw APIError.invalid(field, "has \(prefix.ids.count) tokens after preprocessing; this server takes at most \(limit)")
        }
        return prefix
    }
}
