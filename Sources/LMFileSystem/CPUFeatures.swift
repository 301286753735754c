import CCPUID
import Foundation

/// What this CPU can run, as `/proc/cpuinfo` names its feature flags (`avx2`, `fma`,
/// `avx512f`, …). Read here, in a target built with checks on, so the kernels' target (built
/// `-Ounchecked`) parses nothing; it only asks whether a flag is present.
public enum CPUFeatures {
    /// This CPU's flags, read once. On x86-64 from the CPUID instruction (CCPUID: the features
    /// LMKit chooses by, from SSE2 to AVX-512, those the OS enables), which answers for the CPU
    /// the program runs on, an emulated one too (`qemu-x86_64 -cpu Haswell`), where
    /// `/proc/cpuinfo` describes the machine; elsewhere `/proc/cpuinfo`'s (empty when unreadable).
    public static let host: Set<String> = {
        #if arch(x86_64)
        var buffer = [CChar](repeating: 0, count: lmkit_cpu_flags(nil, 0) + 1)
        _ = lmkit_cpu_flags(&buffer, buffer.count)
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return Set(text.split(separator: " ").map(String.init))
        #else
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        return flags(inCPUInfo: text)
        #endif
    }()

    /// The flags of the first `flags : …` line of a `/proc/cpuinfo` text (empty when none).
    public static func flags(inCPUInfo text: String) -> Set<String> {
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            if let colon = line.firstIndex(of: ":") {
                return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
            }
        }
        return []
    }
}
