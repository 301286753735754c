import Testing
@testable import LMTensor

@Suite struct VectorMatrixTests {
    /// The wide kernel against the plain loop, through each kernel set this CPU runs.
    @Test(arguments: KernelSet.allCases.filter(\.isSupported))
    func vectorMatrixMatchesThePlainLoop(kernels: KernelSet) {
        var rng = SplitMix64(seed: 3)
        for (k, n, stride) in [(1, 1, 1), (3, 5, 7), (7, 33, 40), (40, 64, 64), (13, 70, 96), (64, 28, 28), (5, 100, 100)] {
            let w = (0..<k * stride).map { _ in Float.random(in: -1...1, using: &rng) }
            let x = (0..<k).map { _ in Float.random(in: -1...1, using: &rng) }
            var y = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
            var expected = y
            for j in 0..<n { for i in 0..<k { expected[j] += x[i] * w[i * stride + j] } }
            y.withUnsafeMutableBufferPointer {
                VectorMatrix.accumulate(x, w, rows: k, cols: n, stride: stride, into: $0.baseAddress!, kernels: kernels)
            }
            for j in 0..<n { #expect(abs(y[j] - expected[j]) < 1e-5, "\(kernels) k \(k) n \(n) column \(j)") }
        }
    }

    /// The narrow kernel (the output head's) against the plain loop, for widths under 16,
    /// multiples of 16 and widths whose last 16-lane block overlaps the one before, through
    /// each kernel set this CPU runs.
    @Test(arguments: KernelSet.allCases.filter(\.isSupported))
    func narrowVectorMatrixMatchesThePlainLoop(kernels: KernelSet) {
        var rng = SplitMix64(seed: 4)
        for (k, n, stride) in [(1, 1, 1), (3, 5, 7), (7, 15, 15), (6, 16, 16), (512, 28, 28), (9, 17, 20), (13, 33, 33),
                               (5, 40, 41), (64, 48, 48), (11, 100, 100), (2, 127, 130)] {
            let w = (0..<k * stride).map { _ in Float.random(in: -1...1, using: &rng) }
            let x = (0..<k).map { _ in Float.random(in: -1...1, using: &rng) }
            var y = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
            var expected = y.map(Double.init)
            for j in 0..<n { for i in 0..<k { expected[j] += Double(x[i]) * Double(w[i * stride + j]) } }
            y.withUnsafeMutableBufferPointer {
                VectorMatrix.accumulateNarrow(x, w, rows: k, cols: n, stride: stride, into: $0.baseAddress!, kernels: kernels)
            }
            for j in 0..<n { #expect(abs(Double(y[j]) - expected[j]) < 1e-4, "\(kernels) k \(k) n \(n) column \(j)") }
        }
    }

    /// The wide kernel sums every column in the same order whatever block holds it: any
    /// split of the columns gives the same bits as the whole product, and each column equals
    /// the plain fused multiply-add chain over the rows.
    @Test func wideKernelColumnsDoNotDependOnTheSplit() {
        var rng = SplitMix64(seed: 6)
        for (k, n, stride) in [(37, 512, 520), (5, 300, 300), (64, 211, 211)] {
            let w = (0..<k * stride).map { _ in Float.random(in: -1...1, using: &rng) }
            let x = (0..<k).map { _ in Float.random(in: -1...1, using: &rng) }
            let y0 = (0..<n).map { _ in Float.random(in: -1...1, using: &rng) }
            var whole = y0
            whole.withUnsafeMutableBufferPointer { VectorMatrix.accumulate(x, w, rows: k, cols: n, stride: stride, into: $0.baseAddress!) }
            var reversed = y0
            reversed.withUnsafeMutableBufferPointer {
                VectorMatrix.accumulate(x, w, rows: k, cols: n, stride: stride, into: $0.baseAddress!, backwards: true)
            }
            #expect(reversed == whole, "k \(k) n \(n) backwards")
            for cut in [1, 3, 4, 16, 17, 64, 100, 128, 129, 192] where cut < n {
                var parts = y0
                parts.withUnsafeMutableBufferPointer { y in
                    w.withUnsafeBufferPointer { wp in
                        VectorMatrix.accumulate(x, wp.baseAddress!, rows: k, cols: cut, stride: stride, into: y.baseAddress!)
                        VectorMatrix.accumulate(x, wp.baseAddress! + cut, rows: k, cols: n - cut, stride: stride, into: y.baseAddress! + cut)
                    }
                }
                #expect(parts == whole, "k \(k) n \(n) cut \(cut)")
            }
            for j in 0..<n {
                var s: Float = 0
                for i in 0..<k { s = s.addingProduct(x[i], w[i * stride + j]) }
                #expect(whole[j] == y0[j] + s, "k \(k) n \(n) column \(j)")
            }
        }
    }
}
