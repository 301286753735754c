import ArgumentParser
import Foundation
import LMGeneration
import LMModels
import LMSettings
import LMTensor

/// `lm-bench step`: generation steps of a scratch model (random weights, random tokens) at
/// several batch sizes, through ``GenerationState`` as `lm-generate` and a server's batcher
/// step: every row one sequence, one token per row per step. Prints one JSON line per batch
/// size: `tokens_per_second` is the aggregate (rows × steps / seconds), `aggregate_speedup` its
/// ratio to the first size's (with `--rows 1,...`: to one sequence alone) and `per_row_speedup`
/// the same per row. `cpu_seconds_per_token` is the process's CPU time (every thread, a
/// worker's spinning included) per token: on a machine shared with other work, where the wall
/// clock also counts the time others run, it shows the step's own cost. The logits are
/// computed, not sampled.
struct StepBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step", abstract: "Generation step throughput (aggregate tokens/s) at several batch sizes.")

    @Option(help: "Recurrent cell kind.") var model: ModelConfig.Kind = .rnn
    @Option(help: "Hidden units.") var hidden: Int = 512
    @Option(help: "Vocabulary size (input width when one-hot, and logits).") var vocab: Int = 28
    @Option(help: "Embedding width (default: one-hot input).") var embedding: Int?
    @Option(help: "Stacked layers.") var layers: Int = 1
    @Flag(help: "Tie the output head to the embedding (needs --embedding equal to --hidden).") var tied = false
    @Option(help: "Batch sizes to measure, comma-separated (rows stepped together).") var rows: String = "1,8,32"
    @Option(help: "Seconds to measure per batch size, after a warm-up.") var seconds: Double = 3
    @Option(help: "Seed for weights and tokens.") var seed: UInt64 = 0

    func validate() throws {
        guard hidden > 0, vocab > 1, layers > 0 else { throw ValidationError("sizes must be positive") }
        if let e = embedding, e < 1 { throw ValidationError("--embedding must be positive (omit it for one-hot input)") }
        if tied && embedding != hidden { throw ValidationError("--tied needs --embedding equal to --hidden (\(hidden))") }
        guard seconds > 0 else { throw ValidationError("--seconds must be positive") }
        guard let sizes = batchSizes, !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--rows must be positive integers separated by commas, e.g. 1,8,32 (got \(rows))")
        }
    }

    private var batchSizes: [Int]? {
        let parts = rows.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) ? nil : parts.compactMap { $0 }
    }

    func run() throws {
        var config = ModelConfig(kind: model, vocabularySize: vocab, embeddingSize: embedding,
                                 hiddenSize: hidden, layers: layers, initialization: .pytorch)
        config.tied = tied
        var rng = SplitMix64(state: seed)
        let lm = try RecurrentLM<Float>(config: config, using: &rng)
        guard let state = GenerationState(model: lm) else {
            throw ValidationError("this model cannot step (it needs recurrent layers and a dense head)")
        }
        var baseline: Double?
        for b in batchSizes ?? [] {
            state.reset(batch: b)
            let pool = (0..<64).map { _ in (0..<b).map { _ in Int32.random(in: 0..<Int32(vocab), using: &rng) } }
            var i = 0
            func step() {
                pool[i % pool.count].withUnsafeBufferPointer { state.step($0.baseAddress!) }
                i += 1
            }
            let warm = MonotonicClock.seconds()
            while i < 3 || MonotonicClock.seconds() - warm < min(0.3, seconds / 4) { step() }
            var count = 0
            let cpuStart = processorSeconds()
            let start = MonotonicClock.seconds()
            var elapsed = 0.0
            repeat { step(); count += 1; elapsed = MonotonicClock.seconds() - start } while elapsed < seconds
            let cpu = processorSeconds() - cpuStart
            let tokensPerSecond = Double(count * b) / elapsed
            let perRow = tokensPerSecond / Double(b)
            if baseline == nil { baseline = perRow }
            log("step \(model)-\(hidden) × \(layers), V \(vocab), rows \(b): \(count) steps in \(String(format: "%.2f", elapsed)) s, \(String(format: "%.3f", elapsed / Double(count) * 1000)) ms/step")
            print(jsonLine([("bench", "step"), ("model", model), ("hidden", hidden), ("layers", layers), ("vocab", vocab),
                            ("embedding", embedding ?? 0), ("tied", tied ? 1 : 0), ("rows", b), ("steps", count), ("seconds", elapsed),
                            ("tokens_per_second", tokensPerSecond), ("cpu_seconds_per_token", cpu / Double(count * b)),
                            ("aggregate_speedup", tokensPerSecond / (baseline ?? perRow)),
                            ("per_row_speedup", perRow / (baseline ?? perRow))]))
        }
    }
}

/// CPU seconds this process has used (all threads).
private func processorSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}
