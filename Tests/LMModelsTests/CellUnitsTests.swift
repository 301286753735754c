@testable import LMModels
import LMSettings
import LMTensor
import Numerics
import Testing

/// Each cell's element-wise math (its `units` and `unitGradients`, the one definition the
/// window, the single step and the reference step run) on a row in `Float` (16-lane SIMD
/// blocks plus a ragged tail) against the same row in `Double` (one lane at a time, the
/// instantiation the gradient checks validate).
@Suite struct CellUnitsTests {
    /// Runs `body` on `Float` and `Double` copies of `arrays` and compares what it leaves.
    static func compare(_ arrays: [[Double]], tolerance: Double = 2e-6, label: String,
                        _ body: ([UnsafeMutablePointer<Float>]) -> Void, _ twin: ([UnsafeMutablePointer<Double>]) -> Void) {
        var f = arrays.map { $0.map(Float.init) }, d = arrays
        let fp = f.map { a in UnsafeMutablePointer<Float>.allocate(capacity: a.count) }
        let dp = d.map { a in UnsafeMutablePointer<Double>.allocate(capacity: a.count) }
        defer { fp.forEach { $0.deallocate() }; dp.forEach { $0.deallocate() } }
        for k in arrays.indices { fp[k].initialize(from: f[k], count: f[k].count); dp[k].initialize(from: d[k], count: d[k].count) }
        body(fp)
        twin(dp)
        for k in arrays.indices {
            f[k] = Array(UnsafeBufferPointer(start: fp[k], count: arrays[k].count))
            d[k] = Array(UnsafeBufferPointer(start: dp[k], count: arrays[k].count))
            for (u, v) in zip(f[k], d[k]) {
                #expect(Double(u).isApproximatelyEqual(to: Double(Float(v)), absoluteTolerance: tolerance), "\(label) array \(k)")
            }
        }
    }

    @Test(arguments: [16, 37, 64, 5])
    func lstmUnitsInFloatFollowDouble(h: Int) {
        var rng = SplitMix64(seed: UInt64(h))
        let arrays = [randomArray(4 * h, in: -4...4, &rng), randomArray(h, in: -2...2, &rng), [Double](repeating: 0, count: h),
                      [Double](repeating: 0, count: h), [Double](repeating: 0, count: h), randomArray(h, in: -1...1, &rng),
                      randomArray(h, in: -1...1, &rng), [Double](repeating: 0, count: 4 * h)]
        func run<T: TensorScalar>(_ p: [UnsafeMutablePointer<T>]) {
            LSTMCell<T>.Units(gates: p[0], cell: p[1], newCell: p[2], tanhCell: p[3], hidden: p[4], width: h).run(count: h)
            LSTMCell<T>.UnitGradients(gates: p[0], cell: p[1], tanhCell: p[3], hiddenGradient: p[5], cellGradient: p[6],
                                      gateGradients: p[7], width: h).run(count: h)
        }
        Self.compare(arrays, label: "LSTM H \(h)", run, run)
    }

    @Test(arguments: [16, 37, 5])
    func gruUnitsInFloatFollowDouble(h: Int) {
        var rng = SplitMix64(seed: UInt64(h) + 1)
        let arrays = [randomArray(3 * h, in: -4...4, &rng), randomArray(h, in: -1...1, &rng), [Double](repeating: 0, count: h),
                      [Double](repeating: 0, count: h), randomArray(h, in: -1...1, &rng), randomArray(h, in: -1...1, &rng),
                      [Double](repeating: 0, count: 3 * h), randomArray(h, in: -1...1, &rng)]
        func run<T: TensorScalar>(_ p: [UnsafeMutablePointer<T>]) {
            GRUCell<T>.GateUnits(gates: p[0], hidden: p[1], resetHidden: p[2], width: h).run(count: h)
            GRUCell<T>.StateUnits(gates: p[0], hidden: p[1], newHidden: p[3], width: h).run(count: h)
            GRUCell<T>.StateUnitGradients(gates: p[0], hidden: p[1], hiddenGradient: p[4], gateGradients: p[6], width: h).run(count: h)
            GRUCell<T>.GateUnitGradients(gates: p[0], hidden: p[1], hiddenGradient: p[4], resetHiddenGradient: p[5],
                                         gateGradients: p[6], previousHiddenGradient: p[7], width: h).run(count: h)
        }
        Self.compare(arrays, label: "GRU H \(h)", run, run)
    }

    @Test(arguments: [16, 37, 5])
    func pytorchGRUUnitsInFloatFollowDouble(h: Int) {
        var rng = SplitMix64(seed: UInt64(h) + 2)
        let arrays = [randomArray(3 * h, in: -4...4, &rng), randomArray(3 * h, in: -2...2, &rng), randomArray(h, in: -1...1, &rng),
                      [Double](repeating: 0, count: h), [Double](repeating: 0, count: h), randomArray(h, in: -1...1, &rng),
                      [Double](repeating: 0, count: 3 * h), randomArray(h, in: -1...1, &rng)]
        func run<T: TensorScalar>(_ p: [UnsafeMutablePointer<T>]) {
            GRUResetAfterCell<T>.Units(gates: p[0], recurrent: p[1], hidden: p[2], newHidden: p[3], keptCandidate: p[4], width: h).run(count: h)
            GRUResetAfterCell<T>.UnitGradients(gates: p[0], hidden: p[2], hiddenGradient: p[5], candidate: p[4],
                                               gateGradients: p[6], previousHiddenGradient: p[7], width: h).run(count: h)
        }
        Self.compare(arrays, label: "PyTorch GRU H \(h)", run, run)
    }

    @Test(arguments: [ModelConfig.Activation.tanh, .relu])
    func rnnUnitsInFloatFollowDouble(activation: ModelConfig.Activation) {
        var rng = SplitMix64(seed: 7)
        let n = 37
        let arrays = [randomArray(n, in: -3...3, &rng), [Double](repeating: 0, count: n), randomArray(n, in: -1...1, &rng),
                      [Double](repeating: 0, count: n)]
        func run<T: TensorScalar>(_ p: [UnsafeMutablePointer<T>]) {
            RNNCell<T>.Units(preActivations: p[0], outputs: p[1], activation: activation).run(count: n)
            RNNCell<T>.UnitGradients(outputGradients: p[2], outputs: p[1], preActivationGradients: p[3], activation: activation).run(count: n)
        }
        Self.compare(arrays, label: "RNN \(activation)", run, run)
    }

    /// The element-wise math at `Double` lanes (what ``RecurrentCell/referenceStep(input:state:)``
    /// runs) against the textbook equations written here with ``Reference``'s functions, so the
    /// reference keeps a definition of its own.
    @Test func unitsFollowTheTextbookEquations() {
        var rng = SplitMix64(seed: 11)
        func σ(_ x: Double) -> Double { Reference.sigmoid([x])[0] }
        func tanh(_ x: Double) -> Double { Reference.tanh([x])[0] }
        func close(_ a: Double, _ b: Double, _ what: String) { #expect(a.isApproximatelyEqual(to: b, absoluteTolerance: 1e-14), "\(what)") }
        for _ in 0..<50 {
            let x = randomArray(7, in: -4...4, &rng)
            let l = LSTMCell<Double>.units(input: x[0], forget: x[1], output: x[2], candidate: x[3], cell: x[4])
            let c = σ(x[1]) * x[4] + σ(x[0]) * tanh(x[3])
            close(l.cell, c, "LSTM C'"); close(l.hidden, σ(x[2]) * tanh(c), "LSTM H'")
            let g = GRUCell<Double>.gates(reset: x[0], update: x[1], hidden: x[2])
            close(g.resetHidden, σ(x[0]) * x[2], "GRU R ⊙ H")
            let n = GRUCell<Double>.state(update: g.update, candidate: x[3], hidden: x[2])
            close(n.hidden, σ(x[1]) * x[2] + (1 - σ(x[1])) * tanh(x[3]), "GRU H'")
            let p = GRUResetAfterCell<Double>.units(reset: x[0], update: x[1], candidate: x[2], recurrentReset: x[3],
                                                    recurrentUpdate: x[4], recurrentCandidate: x[5], hidden: x[6])
            let r = σ(x[0] + x[3]), z = σ(x[1] + x[4])
            close(p.hidden, (1 - z) * tanh(x[2] + r * x[5]) + z * x[6], "PyTorch GRU H'")
            close(RNNCell<Double>.output(x[0], activation: .tanh), tanh(x[0]), "RNN tanh")
            close(RNNCell<Double>.output(x[0], activation: .relu), Reference.relu([x[0]])[0], "RNN relu")
        }
    }
}
