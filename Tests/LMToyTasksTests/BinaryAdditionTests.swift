import Testing
import LMData
@testable import LMToyTasks

@Suite struct BinaryAdditionTests {
    /// Reads a least-significant-bit-first 0/1 sequence back into an integer.
    private func value(_ bits: [Float]) -> UInt64 {
        bits.enumerated().reduce(0) { $0 | (UInt64($1.element) << UInt64($1.offset)) }
    }

    @Test(arguments: propertySeeds)
    func shapesAndSumsAreExact(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let count = 1 + g.next(below: 100), bits = 1 + g.next(below: 20)
        let data = try BinaryAddition(count: count, bits: bits, generator: &g)
        let steps = bits + 1
        #expect(data.steps == steps)
        #expect(data.inputs.count == count * steps * 2 && data.targets.count == count * steps)
        #expect(data.a.count == count && data.b.count == count)
        #expect(data.inputs.allSatisfy { $0 == 0 || $0 == 1 } && data.targets.allSatisfy { $0 == 0 || $0 == 1 })
        for s in 0..<count {
            let x = (0..<steps).map { data.inputs[(s * steps + $0) * 2] }
            let y = (0..<steps).map { data.inputs[(s * steps + $0) * 2 + 1] }
            let t = Array(data.targets[(s * steps)..<((s + 1) * steps)])
            #expect(x.last == 0 && y.last == 0) // padding step
            #expect(value(x) == data.a[s] && value(y) == data.b[s])
            #expect(data.a[s] < 1 << UInt64(bits) && data.b[s] < 1 << UInt64(bits))
            // Independent check: the target decodes to the integer sum.
            #expect(value(t) == data.a[s] + data.b[s])
        }
    }

    @Test func matchesTheTutorialLayout() throws {
        // 6-bit operands padded to 7 steps, 7-bit targets, least significant bit first.
        var g = RandomGenerator(seed: 1)
        let data = try BinaryAddition(count: 2_000, bits: 6, generator: &g)
        #expect(data.steps == 7 && data.inputs.count == 2_000 * 7 * 2 && data.targets.count == 2_000 * 7)
        // Operands are uniform in 0..<64: both ends occur.
        #expect(Set(data.a).count == 64 && Set(data.b).count == 64)
        let carries = (0..<2_000).filter { data.targets[$0 * 7 + 6] == 1 }.count
        // P(a + b ≥ 64) = (64·63/2)/64² ≈ 0.492.
        #expect(abs(Double(carries) / 2_000 - 0.492) < 0.05)
    }

    @Test func deterministicForASeedAndRejectsBadSizes() throws {
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
        let x = try BinaryAddition(count: 50, bits: 8, generator: &a)
        #expect(x == (try BinaryAddition(count: 50, bits: 8, generator: &b)))
        #expect(x == (try BinaryAddition(count: 50, bits: 8, seed: 3)))
        #expect(throws: ToyTaskError.self) { try BinaryAddition(count: 5, bits: 0, generator: &a) }
        #expect(throws: ToyTaskError.self) { try BinaryAddition(count: 5, bits: 63, generator: &a) }
        #expect(throws: ToyTaskError.self) { try BinaryAddition(count: 0, bits: 4, generator: &a) }
    }
}
