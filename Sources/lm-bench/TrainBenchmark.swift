import ArgumentParser
import Foundation
import LMDistributed
import LMModelFiles
import LMModels
import LMSettings
import LMTensor
import LMToolSupport
import LMTraining

/// `lm-bench train`: full training steps of a scratch model on random tokens.
///
/// One step is LMTraining's ``TrainingStep`` with the optimizer ``Trainer/makeOptimizer(_:)``
/// builds, as `lm-train` runs it: zero gradients, forward over a window (one-hot input, or an
/// embedding with `--embedding`), backward through time, global-norm clipping at `--clip`
/// (default 1), one update (default SGD with learning rate 1); the state is carried and
/// detached between windows. Tokens per step = batch × steps target tokens.
/// `tokens_per_second` is over the whole timed run; `tokens_per_second_median` is from the
/// median step time (insensitive to stalls when other processes share the cores).
/// `flops_per_token` is ``ModelConfig/flopsPerToken`` (forward + backward multiply-adds × 2;
/// one-hot input counted as d2l's dense product, an embedding lookup as free).
///
/// Under `mpirun -np N` (N > 1) it is one rank of a data-parallel step, as `lm-train` runs it
/// (``DataParallel`` over ``MPICommunicator``): every rank builds the same model and windows
/// of the whole `--batch`, trains its rows ⌊B·r/N⌋ ..< ⌊B·(r+1)/N⌋ with the gradients summed
/// each step, and after each step takes the maximum of a stop flag (rank 0's clock decides;
/// lm-train's signal check is the same one-value allreduce), so all ranks run the same steps.
/// Rank 0 alone prints the line: tokens per step are still the whole batch's B × T, and it
/// adds `ranks`, `gradient_bytes` (the model's gradient storage) and `allreduce_seconds_per_step`, rank
/// 0's mean time per timed step in ``GradientAllreduce/sum(_:)`` (weighting in place,
/// `MPI_Allreduce`), which includes waiting for the slower rank; `allreduce_mpi_seconds_per_step`
/// is the `MPI_Allreduce` alone and `allreduce_mpi_seconds_per_step_min` its smallest value
/// over the ranks (the rank that arrived last waits least: nearest the transfer itself).
struct TrainBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Training throughput (tokens/s) of a recurrent LM.")

    /// Weight initialisations the benchmark offers (speed barely depends on them).
    enum Init: String, ExpressibleByArgument, CaseIterable {
        case d2l, pytorch
        var initialization: ModelConfig.Initialization { self == .d2l ? .d2l : .pytorch }
    }

    @Option(help: "Recurrent cell kind.") var model: ModelConfig.Kind = .rnn
    @Option(help: "Hidden units.") var hidden: Int = 512
    @Option(help: "Vocabulary size (input width when one-hot, and logits).") var vocab: Int = 28
    @Option(help: "Embedding width (default: one-hot input).") var embedding: Int?
    @Option(help: "Sequences per window.") var batch: Int = 32
    @Option(help: "Time steps per window.") var steps: Int = 35
    @Option(help: "Stacked layers.") var layers: Int = 1
    @Option(name: .customLong("init"), help: "Weight initialisation: d2l (normal × 0.01) or pytorch (its modules' defaults).") var initialization: Init = .d2l
    @Option(help: "Update rule: sgd, adam or rmsprop (lm-train's optimizers).") var optimizer: TrainingOptions.OptimizerKind = .sgd
    @Option(help: "Learning rate (a fixed cost: the work does not depend on it).") var lr: Double = 1
    @Option(help: "Global gradient-norm bound; 0 for no clipping.") var clip: Double = 1
    @Option(help: "BLAS threads (default: the BLAS layer's measured choice).") var threads: Int?
    @Option(help: "Seconds to measure, after a warm-up.") var seconds: Double = 5
    @Option(name: .customLong("windows"), help: "Measure exactly this many windows, after exactly 3 warm-up windows, instead of --seconds (for counts that must not depend on the machine's speed, such as bench/allocs.sh's).") var windowCount: Int?
    @Option(help: "Seed for weights and tokens.") var seed: UInt64 = 0
    @Option(help: "Dropout P with a fresh mask per element and step on the embedding output (with --embedding), between layers and on the top output, as lm-train --dropout; 0 for none.") var dropout: Double = 0

    func validate() throws {
        guard hidden > 0, vocab > 1, batch > 0, steps > 0, layers > 0 else { throw ValidationError("sizes must be positive") }
        if let e = embedding, e < 1 { throw ValidationError("--embedding must be positive (omit it for one-hot input)") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        if let w = windowCount, w < 1 { throw ValidationError("--windows must be ≥ 1") }
        guard dropout >= 0 && dropout < 1 else { throw ValidationError("--dropout must be in [0, 1)") }
        guard lr > 0 && lr.isFinite else { throw ValidationError("--lr must be positive") }
        guard clip >= 0 && clip.isFinite else { throw ValidationError("--clip must be ≥ 0 (0: no clipping)") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

    func run() throws {
        guard let ranks = MPICommunicator.worldSize, ranks > 1 else { return try measure(parallel: nil) }
        let communicator = try MPICommunicator()
        do {
            try measure(parallel: DataParallel(communicator))
        } catch {
            // Every error here is reached by all ranks alike (settings, a non-finite summed loss).
            try? communicator.finish()
            throw error
        }
        try communicator.finish()
    }

    /// The benchmark in one process (`parallel` nil) or as one rank of a data-parallel run.
    private func measure(parallel: DataParallel?) throws {
        try parallel?.check(batch: batch)
        let isWriter = parallel?.isWriter ?? true
        if let t = threads { BLAS.setThreads(t) }
        if isWriter { log(BLAS.configuration.description) }
        var config = ModelConfig(kind: model, vocabularySize: vocab, embeddingSize: embedding,
                                 hiddenSize: hidden, layers: layers, initialization: initialization.initialization)
        config.dropout = Dropout(input: embedding == nil ? 0 : dropout, hidden: dropout, output: dropout)
        var options = TrainingOptions(corpus: "random tokens")
        options.optimizer = optimizer
        options.lr = lr
        options.clip = clip > 0 ? clip : nil
        var rng = SplitMix64(state: seed)
        let lm = try RecurrentLM<Float>(config: config, using: &rng)
        let n = batch * steps
        // A pool of random windows, cycled (tokens do not affect the work done).
        let windows = (0..<8).map { _ in
            (0..<(n + batch)).map { _ in Int32.random(in: 0..<Int32(vocab), using: &rng) }
        }
        let rows = parallel?.rows(batch: batch) ?? 0..<batch
        // This process's rows of each window (all of them for one process), t-major: inputs
        // t·rows + b, targets one step later.
        func rowsOf(_ w: [Int32], from first: Int) -> [Int32] {
            var out: [Int32] = []
            out.reserveCapacity(steps * rows.count)
            for t in first..<(first + steps) { out += w[(t * batch + rows.lowerBound)..<(t * batch + rows.upperBound)] }
            return out
        }
        let local = windows.map { (inputs: rowsOf($0, from: 0), targets: rowsOf($0, from: 1)) }
        let trainingStep = TrainingStep(model: lm, clip: options.clip,
                                        parallel: parallel.map { ($0, weight: Double(rows.count) / Double(batch)) })
        var update = Trainer.makeOptimizer(options)
        var lossSum = 0.0
        func step(_ i: Int) throws {
            let w = local[i % local.count]
            let key = dropout > 0 ? DropoutKey(seed: seed, window: UInt64(i), streamOffset: rows.lowerBound) : nil
            guard let loss = try trainingStep.run(inputs: w.inputs, targets: w.targets, steps: steps, batch: rows.count,
                                                  optimizer: &update, dropout: key) else {
                throw TrainingError.invalidSetting("the loss became non-finite at step \(i); lower --lr or set --clip")
            }
            lossSum += loss
        }
        /// Whether to go on: this process's answer, or in a data-parallel run rank 0's (a
        /// maximum over the ranks, so all take the same steps).
        func agreed(_ goOn: Bool) throws -> Bool {
            guard let parallel else { return goOn }
            var flag = [parallel.isWriter && goOn ? 1.0 : 0]
            try flag.withUnsafeMutableBufferPointer { try parallel.communicator.maximum($0) }
            return flag[0] > 0
        }
        // Warm-up: a few steps and at least 0.3 s.
        var i = 0
        let warmStart = MonotonicClock.seconds()
        while try agreed(i < 3 || (windowCount == nil && MonotonicClock.seconds() - warmStart < min(0.3, seconds / 4))) { try step(i); i += 1 }
        let warmTiming = trainingStep.allreduce?.timing
        var count = 0
        let start = MonotonicClock.seconds()
        var elapsed = 0.0
        var stepTimes: [Double] = []
        stepTimes.reserveCapacity(100_000)
        var last = start
        repeat {
            try step(i); i += 1; count += 1
            let t = MonotonicClock.seconds()
            stepTimes.append(t - last)
            last = t
            elapsed = t - start
        } while try agreed(windowCount.map { count < $0 } ?? (elapsed < seconds))
        stepTimes.sort()
        let median = stepTimes[stepTimes.count / 2]
        let tokensPerSecond = Double(count * n) / elapsed
        if isWriter { log("train \(model)-\(hidden): \(count) steps in \(String(format: "%.2f", elapsed)) s, \(String(format: "%.3f", elapsed / Double(count) * 1000)) ms/step, mean loss \(String(format: "%.4f", lossSum / Double(i))), worker pool: \(WorkerPool.shared.parallelJobs) parallel jobs, \(WorkerPool.shared.partsRunByWorkers) parts by workers, caller worked \(String(format: "%.2f", WorkerPool.shared.totalWork)) s and waited \(String(format: "%.2f", WorkerPool.shared.totalWait)) s, \(WorkerPool.shared.serialFallbacks) serial fallbacks") }
        let flopsPerToken = try config.flopsPerToken
        var fields: [(String, Any)] = [
            ("bench", "train"), ("model", model.rawValue), ("hidden", hidden), ("layers", layers),
            ("vocab", vocab), ("batch", batch), ("steps", steps), ("threads", BLAS.threads),
            ("small_product_threads", BLAS.smallProductThreads), ("blas_core", BLAS.configuration.coreName),
            ("tokens_per_second", tokensPerSecond),
            ("tokens_per_second_median", Double(n) / median), ("flops_per_token", flopsPerToken),
            ("gflops", tokensPerSecond * flopsPerToken / 1e9),
            ("embedding", embedding ?? 0), ("optimizer", optimizer.rawValue), ("lr", lr), ("clip", clip),
            ("dropout", dropout), ("train_steps", count), ("seconds", elapsed),
        ]
        if let parallel, let allreduce = trainingStep.allreduce, let warm = warmTiming {
            let timing = allreduce.timing
            let perStep = (timing.seconds - warm.seconds) / Double(count)
            let mpiPerStep = (timing.communicationSeconds - warm.communicationSeconds) / Double(count)
            // The smallest over the ranks: a maximum of the negated values.
            var negated = [-mpiPerStep]
            try negated.withUnsafeMutableBufferPointer { try parallel.communicator.maximum($0) }
            let gradientBytes = lm.gradientStorage.count * MemoryLayout<Float>.stride
            if isWriter { log("rank 0: \(String(format: "%.3f", perStep * 1000)) ms/step in the gradient sum (MPI_Allreduce \(String(format: "%.3f", mpiPerStep * 1000)) ms) of \(gradientBytes) bytes; \(parallel.size) ranks, rows \(rows)") }
            fields += [("ranks", parallel.size), ("rows", rows.count), ("gradient_bytes", gradientBytes),
                       ("allreduce_seconds_per_step", perStep), ("allreduce_mpi_seconds_per_step", mpiPerStep),
                       ("allreduce_mpi_seconds_per_step_min", -negated[0])]
        }
        if isWriter { print(jsonLine(fields)) }
    }
}
