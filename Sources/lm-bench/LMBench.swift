import ArgumentParser
import Foundation
import LMData
import LMModels
import LMTensor
import LMToolSupport

/// Benchmarks of LMKit's hot paths; each subcommand prints one JSON line on stdout and its
/// BLAS configuration on stderr. Driven by `bin/bench` (bench/*.sh).
@main
struct LMBench: LMTool {
    static let configuration = CommandConfiguration(
        commandName: "lm-bench",
        abstract: "Benchmarks of LMKit's hot paths (one JSON line per run).",
        subcommands: [TrainBenchmark.self, SgemmBenchmark.self, BLASInfo.self, AllreduceBenchmark.self, StepBenchmark.self])
}

/// One JSON object on one line, keys in the given order.
func jsonLine(_ fields: [(String, Any)]) -> String {
    let parts = fields.map { key, value -> String in
        switch value {
        case let s as String: return "\"\(key)\":\"\(s)\""
        case let d as Double:
            guard d.isFinite else { return "\"\(key)\":null" }
            return "\"\(key)\":" + (abs(d) >= 1e5 ? String(format: "%.1f", d) : String(format: "%.6g", d))
        default: return "\"\(key)\":\(value)"
        }
    }
    return "{" + parts.joined(separator: ",") + "}"
}

func log(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// SplitMix64 (the step LMData seeds its generator with), for random token ids and weights.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 { RandomGenerator.splitMix64(&state) }
}
