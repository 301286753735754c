import ArgumentParser
import Foundation
import LMDistributed
import LMTensor

/// `lm-bench allreduce`: seconds of one in-place `sum` of a Float buffer over Open MPI
/// (``MPICommunicator``), under `mpirun -np N lm-bench allreduce`.
///
/// Each rank fills the buffer with rank + 1, so every element of the sum is N(N+1)/2; each
/// sum is checked, and a wrong one ends the run with an error instead of its size's line. Before each one a one-element sum lines the ranks up; a repetition's
/// time is the slowest rank's. Rank 0 prints one JSON line per size: `mean_s`, `min_s` over
/// `--repeat` sums after one warm-up, `gb_per_s` = buffer bytes / `mean_s` / 1e9. Without
/// mpirun, `MPI_Init` makes a one-rank world and the sums are local; without Open MPI it fails
/// with the library's message. `--self-test` checks every ``Communicator`` operation instead
/// (odd sizes, empty buffers, split calls) and prints PASS or FAIL lines.
struct AllreduceBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "allreduce", abstract: "MPI allreduce (sum of Floats) seconds and GB/s; run under mpirun -np N.")

    @Option(help: "Comma-separated buffer sizes, in floats.") var floats: String = "10000,1000000,6000000"
    @Option(name: .customLong("repeat"), help: "Timed sums per size, after one warm-up.") var repetitions: Int = 20
    @Flag(help: .hidden) var selfTest = false

    func validate() throws {
        guard let sizes = Self.sizes(floats), !sizes.isEmpty else {
            throw ValidationError("--floats must be positive integers separated by commas, not \(floats)")
        }
        guard repetitions > 0 else { throw ValidationError("--repeat must be positive") }
    }

    /// The sizes of a `--floats` list; nil unless all are positive integers.
    static func sizes(_ list: String) -> [Int]? {
        let parts = list.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return parts.map { $0! }
    }

    func run() throws {
        let comm = try MPICommunicator()
        if comm.rank == 0 { log("allreduce: \(comm.size) ranks, \(comm.library)\(MPICommunicator.launchedByMPI ? "" : " (not started by mpirun)")") }
        if selfTest {
            let failed = try Self.selfTest(comm)
            try comm.finish()
            if failed > 0 { throw AllreduceFailure(description: "self-test: \(failed) checks failed") }
            return
        }
        for count in Self.sizes(floats)! {
            let expected = Float(comm.size * (comm.size + 1) / 2)
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: count)
            defer { buffer.deallocate() }
            var line = [Double](repeating: 0, count: 1)
            var times = [Double](repeating: 0, count: repetitions)
            var wrong = [0.0]
            for r in -1..<repetitions {
                buffer.initialize(repeating: Float(comm.rank + 1))
                try line.withUnsafeMutableBufferPointer { try comm.sum($0) }
                let start = MonotonicClock.seconds()
                try comm.sum(buffer)
                let elapsed = MonotonicClock.seconds() - start
                if r >= 0 { times[r] = elapsed }
                if !buffer.allSatisfy({ $0 == expected }) { wrong[0] += 1 }
            }
            try times.withUnsafeMutableBufferPointer { try comm.maximum($0) }
            try wrong.withUnsafeMutableBufferPointer { try comm.sum($0) }
            if wrong[0] > 0 {
                try comm.finish()
                throw AllreduceFailure(description: "\(Int(wrong[0])) sums of \(count) floats were wrong (expected \(expected) in every element)")
            }
            let mean = times.reduce(0, +) / Double(repetitions)
            let bytes = count * MemoryLayout<Float>.stride
            if comm.rank == 0 {
                emit(jsonLine([("bench", "allreduce"), ("floats", count), ("bytes", bytes), ("ranks", comm.size),
                               ("repeat", repetitions), ("mean_s", mean), ("min_s", times.min()!),
                               ("gb_per_s", Double(bytes) / mean / 1e9)]))
            }
        }
        try comm.finish()
    }
}

/// Writes `line` to stdout at once (rank 0's lines, while the other ranks are still running).
private func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// A wrong result of the allreduce benchmark or its self-test.
struct AllreduceFailure: Error, CustomStringConvertible {
    let description: String
}

extension AllreduceBenchmark {
    /// Checks sum, maximum, broadcast and gather on `comm` and on a communicator that splits
    /// every call into 1000 elements; rank 0 prints `self-test <check>: PASS` or `FAIL`, then a
    /// summary. Returns the number of failed checks (the same on every rank).
    static func selfTest(_ world: MPICommunicator) throws -> Int {
        let n = world.size, rank = world.rank
        let triangle = Double(n * (n + 1) / 2)
        var checks = 0, failed = 0
        func report(_ name: String, _ passed: Bool) throws {
            var bad = [passed ? 0.0 : 1.0]
            try bad.withUnsafeMutableBufferPointer { try world.sum($0) }
            checks += 1
            if bad[0] > 0 { failed += 1 }
            if rank == 0 { emit("self-test \(name): " + (bad[0] > 0 ? "FAIL (\(Int(bad[0])) of \(n) ranks)" : "PASS")) }
        }
        for (label, comm) in [("", world), (" chunks=1000", try MPICommunicator(chunkLimit: 1000))] {
            for count in [0, 1, 2500, 100_003] {
                var f = (0..<count).map { Float($0 % 7 + 1) * Float(rank + 1) }
                try f.withUnsafeMutableBufferPointer { try comm.sum($0) }
                try report("sum Float \(count)\(label)", f.indices.allSatisfy { f[$0] == Float(Double($0 % 7 + 1) * triangle) })
                var d = (0..<count).map { Double($0 % 7 + 1) * Double(rank + 1) }
                try d.withUnsafeMutableBufferPointer { try comm.sum($0) }
                try report("sum Double \(count)\(label)", d.indices.allSatisfy { d[$0] == Double($0 % 7 + 1) * triangle })
                // Even elements: the largest is rank N-1's; odd ones: rank 0's (the others negative).
                func signed(_ i: Int, _ r: Int) -> Double {
                    let magnitude = Double((i + r) % n)
                    return (i % 2 == 0 ? magnitude : -magnitude) + Double(i) * 0.5
                }
                func largest(_ i: Int) -> Double { (i % 2 == 0 ? Double(n - 1) : 0) + Double(i) * 0.5 }
                var m = (0..<count).map { signed($0, rank) }
                try m.withUnsafeMutableBufferPointer { try comm.maximum($0) }
                try report("maximum Double \(count)\(label)", m.indices.allSatisfy { m[$0] == largest($0) })
            }
            for count in [0, 1, 3 << 20 | 7] {
                for root in Set([0, n - 1]).sorted() {
                    func pattern(_ i: Int) -> UInt8 { UInt8(truncatingIfNeeded: i &* 31 &+ root &* 7) }
                    let mine = rank == root ? (0..<count).map(pattern) : [UInt8](repeating: 0xAA, count: rank + 5)
                    let got = try comm.broadcast(mine, root: root)
                    try report("broadcast \(count) bytes from \(root)\(label)",
                               got.count == count && got.indices.allSatisfy { got[$0] == pattern($0) })
                }
            }
            let lengths: [(String, (Int) -> Int)] = [
                ("rank 0 empty", { $0 == 0 ? 0 : 1000 * $0 + 1 }), ("last rank empty", { (n - 1 - $0) * 3 }), ("all empty", { _ in 0 }),
            ]
            for (name, length) in lengths {
                for root in Set([0, n - 1]).sorted() {
                    func values(_ r: Int) -> [Float] { (0..<length(r)).map { Float(r * 100_000 + $0) } }
                    let got = try comm.gather(values(rank), root: root)
                    let expected = rank == root ? (0..<n).flatMap(values) : []
                    try report("gather \(name) to \(root)\(label)", got == expected)
                }
            }
        }
        if rank == 0 { emit("self-test: " + (failed == 0 ? "PASS" : "FAIL") + " (\(checks - failed) of \(checks) checks, \(n) ranks)") }
        return failed
    }
}
