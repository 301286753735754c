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
}
