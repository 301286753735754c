import Foundation

/// What the kernel says this CPU can run: the feature flags of `/proc/cpuinfo` (`avx2`, `fma`,
/// `avx512f`, …). Read here, in a target built with checks on, so the kernels' target (built
/// `-Ounchecked`) parses no file; it only asks whether a flag is present.
public enum CPUFeatures {
    /// This host's flags (empty where `/proc/cpuinfo` cannot be read), read once.
    public static let host: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        return flags(inCPUInfo: text)
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
