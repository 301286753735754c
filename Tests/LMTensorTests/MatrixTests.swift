import Testing
import Numerics
@testable import LMTensor

@Suite struct MatrixTests {
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func productMatchesTripleLoop(transposes: (Bool, Bool)) throws {
        var rng = SplitMix64(seed: 1)
        let (m, k, n) = (7, 13, 5)
        let a = try Matrix<Float>(rows: transposes.0 ? k : m, cols: transposes.0 ? m : k,
                                  storage: randomArray(m * k, in: -1...1, &rng).map(Float.init))
        let b = try Matrix<Float>(rows: transposes.1 ? n : k, cols: transposes.1 ? k : n,
                                  storage: randomArray(k * n, in: -1...1, &rng).map(Float.init))
        let c = try Matrix.product(a, b, transposeA: transposes.0, transposeB: transposes.1)
        let r = Reference.product(a, b, transposeA: transposes.0, transposeB: transposes.1)
        #expect(c.rows == m && c.cols == n)
        for i in 0..<c.count {
            #expect(Double(c.storage[i]).isApproximatelyEqual(to: r.storage[i], absoluteTolerance: 1e-5))
        }
        // Double goes through dgemm.
        let cd = try Matrix.product(a.converted(to: Double.self), b.converted(to: Double.self),
                                    transposeA: transposes.0, transposeB: transposes.1)
        for i in 0..<cd.count { #expect(cd.storage[i].isApproximatelyEqual(to: r.storage[i], absoluteTolerance: 1e-12)) }
    }

    @Test func shapeErrors() {
        #expect(throws: TensorError.self) { try Matrix<Float>(rows: 2, cols: 3, storage: [1, 2]) }
        let a = Matrix<Float>(rows: 2, cols: 3), b = Matrix<Float>(rows: 2, cols: 3)
        #expect(throws: TensorError.self) { try Matrix.product(a, b) }
    }

    @Test func subscriptIsRowMajor() throws {
        let m = try Matrix<Double>(rows: 2, cols: 3, storage: [1, 2, 3, 4, 5, 6])
        #expect(m[1, 0] == 4)
        #expect(m.transposed()[2, 1] == 6)
    }

    @Test func bufferIsZeroedAndAligned() throws {
        let b = Buffer<Float>(count: 37)
        #expect(b.array.allSatisfy { $0 == 0 })
        #expect(Int(bitPattern: b.pointer) % 64 == 0)
        try b.assign((0..<37).map(Float.init))
        #expect(b[36] == 36)
        #expect(throws: TensorError.self) { try b.assign([1]) }
    }
}
