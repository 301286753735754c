#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How long this process has run, for wall-time budgets that count from the process's start
/// (the loader, the Swift runtime and argument parsing included), not from a library call.
public enum ProcessAge {
    /// Seconds since this process started, to the kernel's clock tick (10 ms); nil where it
    /// cannot be read. On Linux: `/proc/self/stat`'s start time (field 22, ticks since boot)
    /// against `CLOCK_BOOTTIME`, the clock it is counted on.
    public static func seconds() -> Double? {
        #if os(Linux)
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8) else { return nil }
        return seconds(stat: stat, ticksPerSecond: Double(sysconf(Int32(_SC_CLK_TCK))), bootSeconds: bootClock())
        #else
        return nil
        #endif
    }

    /// The age from a `/proc/PID/stat` line: its fields after the command's closing `)` (the
    /// command may hold spaces and parentheses) start at field 3, so the start time is the
    /// 20th of them. Nil for a line that does not parse or a start in the future.
    static func seconds(stat: String, ticksPerSecond: Double, bootSeconds: Double) -> Double? {
        guard ticksPerSecond > 0, let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count >= 20, let ticks = UInt64(fields[19]) else { return nil }
        let age = bootSeconds - Double(ticks) / ticksPerSecond
        return age >= 0 ? age : nil
    }

    #if os(Linux)
    private static func bootClock() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_BOOTTIME, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
    #endif
}
