import Testing
@testable import LMGeneration

@Suite struct GreedyTests {
    @Test func equalsArgmax() {
        var rng = SplitMix64(seed: 1)
        var greedy = Greedy()
        for _ in 0..<1000 {
            let n = Int.random(in: 1...40, using: &rng)
            let z = (0..<n).map { _ in Float.random(in: -5...5, using: &rng) }
            let expected = z.indices.max { z[$0] < z[$1] || (z[$0] == z[$1] && $0 > $1) }!
            #expect(greedy.sample(z, using: &rng) == expected)
        }
    }

    @Test func tiesGoToTheLowestIdAsTorchArgmax() {
        var greedy = Greedy()
        var rng = SplitMix64(seed: 0)
        #expect(greedy.sample([1, 3, 3, 2], using: &rng) == 1)
        #expect(greedy.sample([0, 0, 0], using: &rng) == 0)
    }

    @Test func skipsMaskedTokensAndDrawsNothing() {
        var greedy = Greedy()
        var rng = SplitMix64(seed: 7)
        let before = rng.state
        #expect(greedy.sample([9, -.infinity, 1, 2], using: &rng) == 0)
        #expect(greedy.sample([-.infinity, 1, 2, -.infinity], using: &rng) == 2)
        #expect(greedy.sample([-.infinity, -7, -9], using: &rng) == 1)
        #expect(rng.state == before)
        #expect(greedy.distribution([1, 5, 2]) == [0, 1, 0])
    }
}
