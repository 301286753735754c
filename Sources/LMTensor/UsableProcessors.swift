#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The number of cores this process may run on: its CPU affinity mask (`sched_getaffinity`),
/// which mpirun's `--bind-to core` or `taskset` narrow, else the machine's active processors.
/// Threads beyond it only take turns on the same cores.
public enum UsableProcessors {
    public static let count: Int = {
        #if os(Linux)
        // Glibc declares sched_getaffinity only under _GNU_SOURCE, which Swift's module map does not set.
        typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sched_getaffinity") {
            var mask = [UInt64](repeating: 0, count: 16)   // 1024 CPUs, glibc's cpu_set_t
            let ok = mask.withUnsafeMutableBytes { unsafeBitCast(symbol, to: GetAffinity.self)(0, $0.count, $0.baseAddress!) } == 0
            let bits = mask.reduce(0) { $0 + $1.nonzeroBitCount }
            if ok && bits > 0 { return bits }
        }
        #endif
        return ProcessInfo.processInfo.activeProcessorCount
    }()
}
