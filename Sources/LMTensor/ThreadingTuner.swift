/// Decides, while work runs, whether splitting it across the ``WorkerPool`` pays: the one
/// answer LMKit gives to "are the worker threads helping?".
///
/// On an idle 2-core machine splitting nearly doubles the speed of a recurrent step, but when
/// other processes hold the cores a worker descheduled in the middle of its part stalls the
/// caller, so that splitting ends up slower than running serially. So the
/// cost of each mode is measured over windows of 64 units of work, the cheaper mode is used,
/// and the other is re-measured from time to time: after 32 windows at first, and each time
/// the other mode loses again the interval doubles, up to 1,024 windows (on a loaded machine
/// one split window can stall for a scheduler time slice, several ms, so exploring often
/// costs there); when the other mode wins, it is used and the interval is 32
/// again. A mode whose cost a window measured as well needs no exploring.
///
/// Two ways to measure, one per kind of unit:
/// - ``tick()``, for units that repeat alike (a generation step): the wall-clock time of a
///   window of units, per unit, in the window's mode. The first window splits, the second
///   runs serially, then the cheaper is used.
/// - ``record(split:)``, for units that differ in size (the pool's jobs: a training step runs
///   large and small products): a split unit reports its time and an estimate of its serial
///   time (the caller's own pace over all parts), so a split window measures both modes at
///   once as the ratio of the two sums (serial = 1); serial windows measure nothing new,
///   and splitting is tried again after the interval.
public struct ThreadingTuner: Sendable {
    /// The mode for the next unit: split across the pool (true) or on the calling thread.
    public private(set) var parallel = true
    private var units = 0
    private var start: UInt64 = 0
    private var splitTime = 0.0, serialEstimate = 0.0
    private var cost: (serial: Double, parallel: Double) = (.nan, .nan)
    private var interval = Self.exploreEvery, windowsLeft = Self.exploreEvery
    private var exploring = false
    private static let windowLength = 64, exploreEvery = 32, exploreAtMost = 1024

    /// A tuner that starts by splitting.
    public init() {}

    /// Drops the window under way (a pause between generations must not count as step time).
    public mutating func restartWindow() {
        units = 0
        splitTime = 0
        serialEstimate = 0
    }

    /// Timed measurement: call once per unit, before running it; returns the mode for it.
    public mutating func tick() -> Bool {
        if units == 0 { start = MonotonicClock.nanoseconds() }
        units += 1
        if units > Self.windowLength {
            let perUnit = Double(MonotonicClock.nanoseconds() &- start) / Double(units - 1)
            units = 1
            start = MonotonicClock.nanoseconds()
            endWindow(cost: perUnit, otherMode: nil)
        }
        return parallel
    }

    /// Reported measurement: call after each unit run in the mode ``parallel`` gave, with its
    /// time and its estimated serial time (seconds) when it was split, nil when it was not.
    public mutating func record(split: (time: Double, serialEstimate: Double)?) {
        if let split {
            splitTime += split.time
            serialEstimate += split.serialEstimate
        }
        units += 1
        guard units >= Self.windowLength else { return }
        units = 0
        if parallel {
            let ratio = splitTime / max(serialEstimate, .leastNonzeroMagnitude)
            splitTime = 0
            serialEstimate = 0
            endWindow(cost: ratio, otherMode: 1)
        } else {
            endWindow(cost: 1, otherMode: nil)
        }
    }

    /// Takes the cost of the window that ended (in its mode, and of the other mode when the
    /// window measured it too) and picks the mode of the next window.
    private mutating func endWindow(cost measured: Double, otherMode other: Double?) {
        if parallel {
            cost.parallel = measured
            if let other { cost.serial = other }
        } else {
            cost.serial = measured
            if let other { cost.parallel = other }
        }
        if cost.serial.isNaN {
            parallel = false
        } else if cost.parallel.isNaN {
            parallel = true
        } else {
            let best = cost.parallel <= cost.serial
            if exploring {
                exploring = false
                interval = parallel == best ? Self.exploreEvery : min(2 * interval, Self.exploreAtMost)
                windowsLeft = interval
            }
            if other != nil {
                windowsLeft = interval  // both modes measured just now: nothing to explore
            } else {
                windowsLeft -= 1
            }
            if windowsLeft <= 0 {
                exploring = true
                parallel = !best
            } else {
                parallel = best
            }
        }
    }
}
