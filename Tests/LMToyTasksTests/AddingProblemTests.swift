import Testing
import LMData
@testable import LMToyTasks

@Suite struct AddingProblemTests {
    @Test(arguments: propertySeeds)
    func shapesMasksAndLabels(seed: UInt64) throws {
        var g = RandomGenerator(seed: seed)
        let count = 1 + g.next(below: 50), length = 2 + g.next(below: 60)
        let high = [Float(1), 0.5, 10][g.next(below: 3)]
        let data = try AddingProblem(count: count, length: length, high: high, generator: &g)
        #expect(data.inputs.count == count * length * 2)
        #expect(data.labels.count == count)
        #expect(data.markedPositions.count == count * 2)
        for n in 0..<count {
            let steps = (0..<length).map { (value: data.inputs[(n * length + $0) * 2], mask: data.inputs[(n * length + $0) * 2 + 1]) }
            #expect(steps.allSatisfy { $0.value >= 0 && $0.value < high })
            #expect(steps.allSatisfy { $0.mask == 0 || $0.mask == 1 })
            #expect(steps.filter { $0.mask == 1 }.count == 2)
            // Independent label: Σ value · mask.
            let label = steps.reduce(Float(0)) { $0 + $1.value * $1.mask }
            #expect(abs(data.labels[n] - label) <= 1e-6 * max(1, high))
            let (p, q) = (data.markedPositions[2 * n], data.markedPositions[2 * n + 1])
            #expect(p != q && steps[p].mask == 1 && steps[q].mask == 1)
        }
    }

    @Test(arguments: [Float(1), 2, 0.25])
    func labelStatisticsMatchTheory(high: Float) throws {
        var g = RandomGenerator(seed: 2015)
        let data = try AddingProblem(count: 20_000, length: 50, high: high, generator: &g)
        let n = Double(data.count)
        let mean = data.labels.reduce(0.0) { $0 + Double($1) } / n
        let variance = data.labels.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
        // Sum of two U[0, high): mean high, variance high²/6. Standard error of the mean ≈ 0.0029·high.
        #expect(abs(mean - Double(high)) < 0.015 * Double(high))
        #expect(abs(variance - Double(high * high) / 6) < 0.01 * Double(high * high))
        // Predicting the mean scores MSE ≈ high²/6; for high = 1 that is below the quoted 0.1767 baseline.
        let mse = data.labels.reduce(0.0) { $0 + (Double($1) - Double(high)) * (Double($1) - Double(high)) } / n
        #expect(abs(mse - Double(data.theoreticalChanceMSE)) < 0.01 * Double(high * high))
        if high == 1 { #expect(mse < Double(AddingProblem.referenceBaselineMSE)) }
        // The marked positions are uniform over the sequence: each step is marked ≈ 2/length of the time.
        var marks = [Int](repeating: 0, count: data.length)
        for p in data.markedPositions { marks[p] += 1 }
        let expected = 2 * n / Double(data.length)
        #expect(marks.allSatisfy { abs(Double($0) - expected) < 5 * expected.squareRoot() })
    }

    @Test func deterministicForASeed() throws {
        var a = RandomGenerator(seed: 6), b = RandomGenerator(seed: 6), c = RandomGenerator(seed: 7)
        let x = try AddingProblem(count: 100, length: 20, generator: &a)
        #expect(x == (try AddingProblem(count: 100, length: 20, generator: &b)))
        #expect(x != (try AddingProblem(count: 100, length: 20, generator: &c)))
        #expect(a == b)
        #expect(x == (try AddingProblem(count: 100, length: 20, seed: 6)))
    }

    @Test func rejectsDegenerateParameters() {
        var g = RandomGenerator(seed: 1)
        #expect(throws: ToyTaskError.self) { try AddingProblem(count: 10, length: 1, generator: &g) }
        #expect(throws: ToyTaskError.self) { try AddingProblem(count: 0, length: 5, generator: &g) }
        #expect(throws: ToyTaskError.self) { try AddingProblem(count: 3, length: 5, high: 0, generator: &g) }
    }
}
