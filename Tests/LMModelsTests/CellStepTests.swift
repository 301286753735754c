@testable import LMModels
import LMSettings
import LMTensor
import Numerics
import Testing

/// Each cell's single step (``RecurrentCell/step(input:state:schedule:)``, the generation
/// path) against its ``RecurrentCell/referenceStep(input:state:)``, in `Float` and `Double`,
/// for token and dense input, one and several sequences, split across the worker pool and
/// not; and the RNN's overlapped step against its plain step, bit for bit.
@Suite struct CellStepTests {
    static func makeCell<T: TensorScalar>(_ kind: ModelConfig.Kind, _ activation: ModelConfig.Activation,
                                          inputSize: Int, hidden: Int, seed: UInt64, recurrentBias: Bool = false,
                                          gruVariant: ModelConfig.GRUVariant = .d2l,
                                          as: T.Type = T.self) -> any RecurrentCell<T> {
        var architecture = ModelConfig(kind: kind, activation: activation, vocabularySize: inputSize, hiddenSize: hidden)
        architecture.recurrentBias = recurrentBias
        architecture.gruVariant = gruVariant
        let cell: any RecurrentCell<T> = try! CellRegistry.definition(of: kind)
            .makeLayer(prefix: "\(kind).0", inputSize: inputSize, architecture: architecture)
        var rng = SplitMix64(seed: seed)
        let bound = activation == .relu ? 0.1 : 0.3
        for p in cell.parameters { for i in 0..<p.count { p.value[i] = T(Double.random(in: -bound...bound, using: &rng)) } }
        return cell
    }

    /// Steps `cell` and the reference side by side over random inputs; the states agree.
    func checkAgainstReference<T: TensorScalar>(_ cell: any RecurrentCell<T>, dense: Bool, batch: Int, split: Bool,
                                                tolerance: Double, label: String) {
        var rng = SplitMix64(seed: 21)
        let n = cell.inputSize, h = cell.hiddenSize
        let state = cell.makeStepState(batch: batch)
        var expected = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: h), count: cell.stateCount),
                                    count: batch)
        for t in 0..<6 {
            if t == 4 {  // reset starts from zero again
                state.reset()
                for b in 0..<batch { for k in 0..<cell.stateCount { expected[b][k] = [Double](repeating: 0, count: h) } }
            }
            let ids = (0..<batch).map { _ in Int32.random(in: 0..<Int32(n), using: &rng) }
            let rows = (0..<batch * n).map { _ in Double.random(in: -1...1, using: &rng) }
            let values = rows.map { T($0) }
            let schedule = VectorMatrix.Schedule(split: split, backwards: t % 2 == 1)
            ids.withUnsafeBufferPointer { idp in values.withUnsafeBufferPointer { vp in
                cell.step(input: dense ? .dense(vp.baseAddress!) : .tokens(idp.baseAddress!), state: state, schedule: schedule)
            } }
            for b in 0..<batch {
                var x: [Double]
                if dense {
                    x = (0..<n).map { Double(values[b * n + $0]) }
                } else {
                    x = [Double](repeating: 0, count: n); x[Int(ids[b])] = 1
                }
                expected[b] = cell.referenceStep(input: x, state: expected[b])
                for k in 0..<cell.stateCount { for j in 0..<h {
                    let got = Double(state.carried[k][b * h + j])
                    #expect(got.isApproximatelyEqual(to: expected[b][k][j], absoluteTolerance: tolerance),
                            "\(label) step \(t) sequence \(b) state \(k) unit \(j)")
                } }
            }
        }
    }

    static let cases: [(ModelConfig.Kind, ModelConfig.Activation)] = [(.rnn, .tanh), (.rnn, .relu), (.gru, .tanh), (.lstm, .tanh)]

    @Test(arguments: cases)
    func stepMatchesTheReferenceStep(kind: ModelConfig.Kind, activation: ModelConfig.Activation) {
        for (dense, batch, hidden) in [(false, 1, 19), (true, 3, 19), (false, 2, 48), (true, 1, 256)] {
            for split in [false, true] {
                let label = "\(kind) \(activation) dense \(dense) batch \(batch) H \(hidden) split \(split)"
                let f = Self.makeCell(kind, activation, inputSize: 11, hidden: hidden, seed: 3, as: Float.self)
                checkAgainstReference(f, dense: dense, batch: batch, split: split, tolerance: 1e-5, label: "Float " + label)
                let d = Self.makeCell(kind, activation, inputSize: 11, hidden: hidden, seed: 3, as: Double.self)
                checkAgainstReference(d, dense: dense, batch: batch, split: split, tolerance: 1e-12, label: "Double " + label)
            }
        }
    }

    /// With two biases per gate (b_h + b_hh), the step still follows the reference step, and
    /// the RNN's overlapped step still leaves the plain step's bits.
    @Test(arguments: cases)
    func stepsWithTwoBiasesMatchTheReferenceStep(kind: ModelConfig.Kind, activation: ModelConfig.Activation) {
        for (dense, batch) in [(false, 1), (true, 2)] {
            let label = "\(kind) \(activation) b_hh dense \(dense) batch \(batch)"
            let f = Self.makeCell(kind, activation, inputSize: 11, hidden: 19, seed: 4, recurrentBias: true, as: Float.self)
            #expect(f.parameters.map(\.name).last == "\(kind.rawValue).0.b_hh")
            checkAgainstReference(f, dense: dense, batch: batch, split: false, tolerance: 1e-5, label: "Float " + label)
            let d = Self.makeCell(kind, activation, inputSize: 11, hidden: 19, seed: 4, recurrentBias: true, as: Double.self)
            checkAgainstReference(d, dense: dense, batch: batch, split: false, tolerance: 1e-12, label: "Double " + label)
        }
        guard kind == .rnn else { return }
        let cell = Self.makeCell(.rnn, activation, inputSize: 30, hidden: 64, seed: 6, recurrentBias: true, as: Float.self)
        let a = cell.makeStepState(batch: 1), b = cell.makeStepState(batch: 1)
        for id in [Int32(3), 7, 29, 0] {
            [id].withUnsafeBufferPointer { cell.step(input: .tokens($0.baseAddress!), state: a, schedule: .init()) }
            #expect(cell.overlappedStep(token: id, state: b, schedule: .init(), alongside: {}))
            for j in 0..<64 { #expect(a.output[j] == b.output[j], "token \(id) unit \(j)") }
        }
    }

    /// PyTorch's GRU: the step follows its reference step, with and without b_hh, token and
    /// dense input, one and several sequences, split and not.
    @Test(arguments: [false, true])
    func pytorchGRUStepMatchesTheReferenceStep(recurrentBias: Bool) {
        for (dense, batch, hidden) in [(false, 1, 19), (true, 3, 19), (false, 2, 48), (true, 1, 256)] {
            for split in [false, true] {
                let label = "pytorch gru b_hh \(recurrentBias) dense \(dense) batch \(batch) H \(hidden) split \(split)"
                let f = Self.makeCell(.gru, .tanh, inputSize: 11, hidden: hidden, seed: 3, recurrentBias: recurrentBias,
                                      gruVariant: .pytorch, as: Float.self)
                checkAgainstReference(f, dense: dense, batch: batch, split: split, tolerance: 1e-5, label: "Float " + label)
                let d = Self.makeCell(.gru, .tanh, inputSize: 11, hidden: hidden, seed: 3, recurrentBias: recurrentBias,
                                      gruVariant: .pytorch, as: Double.self)
                checkAgainstReference(d, dense: dense, batch: batch, split: split, tolerance: 1e-12, label: "Double " + label)
            }
        }
        let cell = Self.makeCell(.gru, .tanh, inputSize: 30, hidden: 16, seed: 1, gruVariant: .pytorch, as: Float.self)
        #expect(cell is GRUResetAfterCell<Float>)
        #expect(!cell.overlappedStep(token: 0, state: cell.makeStepState(batch: 1), schedule: .init(), alongside: {}))
    }

    /// The RNN's overlapped step leaves the plain step's bits in the state, split or not, also
    /// when it follows plain steps (it then recomputes the pending product), and runs the
    /// work alongside exactly once. The other cells have no overlapped step.
    @Test(arguments: [ModelConfig.Activation.tanh, .relu])
    func overlappedRNNStepGivesThePlainStepsBits(activation: ModelConfig.Activation) {
        let plain = Self.makeCell(.rnn, activation, inputSize: 30, hidden: 256, seed: 8, as: Float.self)
        let a = plain.makeStepState(batch: 1), b = plain.makeStepState(batch: 1)
        var rng = SplitMix64(seed: 9)
        for t in 0..<12 {
            let id = Int32.random(in: 0..<30, using: &rng)
            let schedule = VectorMatrix.Schedule(split: t % 3 != 0, backwards: t % 2 == 0)
            [id].withUnsafeBufferPointer { plain.step(input: .tokens($0.baseAddress!), state: a, schedule: schedule) }
            var calls = 0
            if t == 5 || t == 6 {
                [id].withUnsafeBufferPointer { plain.step(input: .tokens($0.baseAddress!), state: b, schedule: schedule) }
            } else {
                #expect(plain.overlappedStep(token: id, state: b, schedule: schedule, alongside: { calls += 1 }))
                #expect(calls == 1)
            }
            for j in 0..<256 { #expect(a.output[j] == b.output[j], "step \(t) unit \(j)") }
        }
        for kind in [ModelConfig.Kind.gru, .lstm] {
            let cell = Self.makeCell(kind, .tanh, inputSize: 30, hidden: 16, seed: 1, as: Float.self)
            var calls = 0
            #expect(!cell.overlappedStep(token: 0, state: cell.makeStepState(batch: 1), schedule: .init(), alongside: { calls += 1 }))
            #expect(calls == 0)
        }
    }
}
