#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The time on the system's monotonic clock (`CLOCK_MONOTONIC`: never steps back, not
/// affected by changes of the wall clock), for measuring intervals.
public enum MonotonicClock {
    /// Nanoseconds since an arbitrary fixed point (the machine's boot on Linux).
    @inline(__always)
    public static func nanoseconds() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }

    /// ``nanoseconds()`` in seconds.
    @inline(__always)
    public static func seconds() -> Double {
        Double(nanoseconds()) * 1e-9
    }
}
