import Testing
@testable import LMTensor

@Suite struct ThreadingTunerTests {
    @Test func tunerTriesBothModesThenKeepsOne() {
        var tuner = ThreadingTuner()
        var modes: [Bool] = []
        for _ in 0..<(64 * 40) { modes.append(tuner.tick()) }
        #expect(modes.prefix(64).allSatisfy { $0 })            // first window split
        #expect(modes[64..<128].allSatisfy { !$0 })            // then serial
        #expect(Set(modes[128...]).count <= 2)
    }

    /// The pool's way: split units report their time and serial estimate. While splitting
    /// pays it is kept without exploring; when it costs more, units run serially for 32
    /// windows, splitting is re-measured for one, and after losing again the wait doubles.
    @Test func reportedCostsKeepSplittingOrFallBackAndRetry() {
        var paying = ThreadingTuner()
        var kept = true
        for _ in 0..<(64 * 100) {
            kept = kept && paying.parallel
            paying.record(split: (time: 1, serialEstimate: 2))
        }
        #expect(kept)
        var stalling = ThreadingTuner()
        var modes: [Bool] = []
        for _ in 0..<(64 * 40) {
            let split = stalling.parallel
            modes.append(split)
            stalling.record(split: split ? (time: 3, serialEstimate: 2) : nil)
        }
        #expect(modes.prefix(64).allSatisfy { $0 })                 // split, measured too slow
        #expect(modes[64..<(64 * 33)].allSatisfy { !$0 })           // 32 serial windows
        #expect(modes[(64 * 33)..<(64 * 34)].allSatisfy { $0 })     // splitting re-measured
        #expect(modes[(64 * 34)...].allSatisfy { !$0 })             // lost again: 64 serial windows
    }
}
