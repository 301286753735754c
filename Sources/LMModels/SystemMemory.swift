import Foundation

/// How much memory this machine can give a process, and the check that refuses a model
/// before it is allocated.
public enum SystemMemory {
    /// Bytes available now: `MemAvailable` from `/proc/meminfo` on Linux, else the physical
    /// memory.
    public static func available() -> Int {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
            }
        }
        return Int(clamping: ProcessInfo.processInfo.physicalMemory)
    }

    /// Throws ``MemoryError/insufficient(needed:available:advice:)`` when `estimate` exceeds
    /// `available` bytes; `advice` says what to lower.
    public static func check(_ estimate: MemoryEstimate, available: Int = SystemMemory.available(), advice: String) throws {
        guard estimate.total > available else { return }
        throw MemoryError.insufficient(needed: estimate.total, available: available, advice: advice)
    }
}

/// A model that does not fit in the machine's memory.
public enum MemoryError: Error, Equatable, CustomStringConvertible {
    /// The estimate, the memory available (bytes) and what to change.
    case insufficient(needed: Int, available: Int, advice: String)

    public var description: String {
        switch self {
        case let .insufficient(needed, available, advice):
            let size = needed == MemoryEstimate.unbounded ? MemoryEstimate.format(needed) : "about " + MemoryEstimate.format(needed)
            return "the model needs \(size) of memory but only \(MemoryEstimate.format(available)) is available; \(advice)"
        }
    }
}
