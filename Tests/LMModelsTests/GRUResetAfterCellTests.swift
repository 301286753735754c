import Testing
import Foundation
@testable import LMModels
import LMTensor

/// ``GRUResetAfterCell`` pinned to PyTorch's `nn.GRU` on a tiny example (H = 2, one input
/// feature, fixed weights, two steps from a non-zero state), so the variant follows PyTorch's
/// math rather than only agreeing with itself; and d2l's ``GRUCell`` on the same weights
/// gives other values (the two are different models).
@Suite struct GRUResetAfterCellTests {
    /// PyTorch's weights, rows r0 r1 z0 z1 n0 n1: `weight_ih_l0` (6 × 1), `weight_hh_l0` (6 × 2),
    /// `bias_ih_l0`, `bias_hh_l0`.
    static let weightIH: [Double] = [0.5, -0.3, 0.8, 0.2, -0.6, 0.9]
    static let weightHH: [[Double]] = [[0.1, -0.2], [0.4, 0.3], [-0.5, 0.6], [0.7, -0.1], [0.3, 0.8], [-0.4, 0.2]]
    static let biasIH: [Double] = [0.1, -0.1, 0.2, 0.0, 0.3, -0.2]
    static let biasHH: [Double] = [-0.2, 0.3, 0.1, -0.3, 0.5, 0.4]
    static let inputs: [Double] = [1, -2]
    static let h0: [Double] = [0.5, -0.25]
    /// `nn.GRU(1, 2)` with the weights above, in float64, on x = [[[1]], [[-2]]], h0 = [[[0.5, -0.25]]]:
    /// `torch.set_default_dtype(torch.float64); y, _ = g(x, h0)` printed these outputs.
    static let pytorchOutputs: [[Double]] = [[0.32749391618248463, 0.13867118482405072],
                                             [0.8109993365463094, -0.5320675735559286]]

    /// A cell of `type` with PyTorch's weights in LMKit's layout: W_xh = weight_ihᵀ,
    /// W_hh = weight_hhᵀ, b_h = bias_ih, b_hh = bias_hh.
    static func load<C: RecurrentCell<Double>>(_ cell: C) -> C {
        let p = cell.parameters
        for g in 0..<6 {
            p[0].value[g] = weightIH[g]
            for i in 0..<2 { p[1].value[i * 6 + g] = weightHH[g][i] }
            p[2].value[g] = biasIH[g]
            p[3].value[g] = biasHH[g]
        }
        return cell
    }

    /// The window forward's outputs h_1, h_2 (dense input, batch 1).
    static func windowOutputs(_ cell: some RecurrentCell<Double>) -> [[Double]] {
        cell.workspace.prepare(steps: 2, batch: 1)
        cell.workspace.carried[0].pointer.update(from: h0, count: 2)
        inputs.withUnsafeBufferPointer { cell.forward(input: .dense($0.baseAddress!), steps: 2, batch: 1) }
        let out = cell.workspace.outputs
        return [[out[0], out[1]], [out[2], out[3]]]
    }

    @Test func windowStepAndReferenceStepGivePyTorchsValues() {
        let cell = Self.load(GRUResetAfterCell<Double>(prefix: "gru.0", inputSize: 1, hiddenSize: 2, recurrentBias: true))
        let window = Self.windowOutputs(cell)
        var reference = [Self.h0]
        let state = cell.makeStepState(batch: 1)
        state.output.update(from: Self.h0, count: 2)
        for t in 0..<2 {
            reference = cell.referenceStep(input: [Self.inputs[t]], state: reference)
            [Self.inputs[t]].withUnsafeBufferPointer { cell.step(input: .dense($0.baseAddress!), state: state, schedule: .init()) }
            for j in 0..<2 {
                let expected = Self.pytorchOutputs[t][j]
                #expect(abs(window[t][j] - expected) < 1e-12, "window step \(t) unit \(j): \(window[t][j]) vs \(expected)")
                #expect(abs(reference[0][j] - expected) < 1e-12, "reference step \(t) unit \(j)")
                #expect(abs(state.output[j] - expected) < 1e-12, "step \(t) unit \(j)")
            }
        }
    }

    /// The first unit of the first step by hand, from PyTorch's equations:
    /// r = σ(0.5 + 0.1 + (0.1·0.5 − 0.2·−0.25) − 0.2), z = σ(0.8 + 0.2 + (−0.5·0.5 + 0.6·−0.25) + 0.1),
    /// n = tanh(−0.6 + 0.3 + r·((0.3·0.5 + 0.8·−0.25) + 0.5)), h' = (1 − z)·n + z·0.5.
    @Test func firstUnitByHand() {
        func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        let r = sigmoid(0.5 + 0.1 + (0.1 * 0.5 - 0.2 * -0.25) - 0.2)
        let z = sigmoid(0.8 + 0.2 + (-0.5 * 0.5 + 0.6 * -0.25) + 0.1)
        let n = tanh(-0.6 + 0.3 + r * ((0.3 * 0.5 + 0.8 * -0.25) + 0.5))
        let h = (1 - z) * n + z * 0.5
        #expect(abs(h - Self.pytorchOutputs[0][0]) < 1e-15)
        let cell = Self.load(GRUResetAfterCell<Double>(prefix: "gru.0", inputSize: 1, hiddenSize: 2, recurrentBias: true))
        #expect(abs(Self.windowOutputs(cell)[0][0] - h) < 1e-12)
    }

    /// d2l's GRU on the same weights (b_h + b_hh summed) is another model: its outputs differ.
    @Test func d2lsGRUGivesOtherValues() {
        let cell = Self.load(GRUCell<Double>(prefix: "gru.0", inputSize: 1, hiddenSize: 2, recurrentBias: true))
        let window = Self.windowOutputs(cell)
        #expect(abs(window[1][0] - Self.pytorchOutputs[1][0]) + abs(window[1][1] - Self.pytorchOutputs[1][1]) > 1e-2)
    }
}
