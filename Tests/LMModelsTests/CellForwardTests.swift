import Foundation
@testable import LMModels
import LMSettings
import LMTensor
import Numerics
import Testing

/// Forward values of each cell against each cell's ``RecurrentCell/referenceStep(input:state:)``,
/// the plain-loop step written from d2l's per-gate equations (separate W_x·, W_h·, b_· per
/// gate, Double arithmetic), with explicit one-hot vectors and a plain head here, on random
/// inputs and weights, over two windows (so the carried state is checked too).
@Suite struct CellForwardTests {
    typealias Mat = [[Double]]

    static func matmul(_ x: [Double], _ w: Mat) -> [Double] {
        var y = [Double](repeating: 0, count: w[0].count)
        for i in 0..<x.count { for j in 0..<y.count { y[j] += x[i] * w[i][j] } }
        return y
    }

    /// Column block `g` (width h) of a gate-concatenated parameter, as a plain matrix.
    static func block(_ p: Parameter<Float>, gate g: Int, hidden h: Int) -> Mat {
        (0..<p.rows).map { r in (0..<h).map { Double(p.value[r * p.cols + g * h + $0]) } }
    }

    /// Runs the plain-loop model over the t-major window; returns logits per row and updates `state`.
    static func plainForward(_ model: RecurrentLM<Float>, inputs: [Int32], steps: Int, batch: Int,
                             state: inout [[[[Double]]]]) -> [[Double]] {
        let cfg = model.config
        var logits: [[Double]] = []
        let wq = block(model.outputLayer.weight, gate: 0, hidden: cfg.vocabularySize)
        let bq = block(model.outputLayer.bias, gate: 0, hidden: cfg.vocabularySize)[0]
        for t in 0..<steps {
            for b in 0..<batch {
                let id = Int(inputs[t * batch + b])
                var x: [Double]
                if let e = model.inputLayer.embedding {
                    x = (0..<e.cols).map { Double(e.value[id * e.cols + $0]) }
                } else {
                    x = [Double](repeating: 0, count: cfg.vocabularySize); x[id] = 1
                }
                for (l, cell) in model.cells.enumerated() {
                    let new = cell.referenceStep(input: x, state: (0..<cell.stateCount).map { state[l][$0][b] })
                    for k in 0..<cell.stateCount { state[l][k][b] = new[k] }
                    x = new[0]
                }
                let y = matmul(x, wq)
                logits.append((0..<y.count).map { y[$0] + bq[$0] })
            }
        }
        return logits
    }

    static let configurations: [ModelConfig] = {
        var all: [ModelConfig] = []
        for kind in CellRegistry.kinds {
            for (layers, emb) in [(1, nil), (2, 6)] as [(Int, Int?)] {
                all.append(ModelConfig(kind: kind, vocabularySize: 7, embeddingSize: emb, hiddenSize: 19, layers: layers,
                                       initialization: .uniform(bound: 0.5)))
            }
        }
        all.append(ModelConfig(kind: .rnn, activation: .relu, vocabularySize: 7, hiddenSize: 19, layers: 2, initialization: .xavierUniform))
        // Wide enough (≥ 32 columns) for the BLAS layer to split products across threads.
        for kind in CellRegistry.kinds {
            all.append(ModelConfig(kind: kind, vocabularySize: 7, embeddingSize: 5, hiddenSize: 48, layers: 2,
                                   initialization: .uniform(bound: 0.2)))
        }
        // PyTorch's GRU: one-hot and embedded, with b_hh, and wide.
        for (layers, emb, hidden, recurrentBias) in [(1, nil, 19, false), (2, 6, 19, true), (2, 5, 48, true)] as [(Int, Int?, Int, Bool)] {
            var c = ModelConfig(kind: .gru, vocabularySize: 7, embeddingSize: emb, hiddenSize: hidden, layers: layers,
                                initialization: .uniform(bound: hidden > 32 ? 0.2 : 0.5))
            c.gruVariant = .pytorch
            c.recurrentBias = recurrentBias
            all.append(c)
        }
        return all
    }()

    @Test(arguments: configurations)
    func forwardMatchesPlainLoops(config: ModelConfig) throws {
        WorkerPool.shared.elementThreshold = 0  // exercise the multi-threaded element-wise path too
        var rng = SplitMix64(seed: 5)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let (steps, batch) = (5, 3)
        let zeros = [[Double]](repeating: [Double](repeating: 0, count: config.hiddenSize), count: batch)
        var state: [[[[Double]]]] = Array(repeating: [zeros, zeros], count: config.layers)
        for _ in 0..<2 {
            let inputs = randomTokens(steps * batch, vocabulary: 7, &rng)
            try model.forward(inputs: inputs, steps: steps, batch: batch)
            let expected = Self.plainForward(model, inputs: inputs, steps: steps, batch: batch, state: &state)
            let logits = model.logits
            for r in 0..<logits.rows {
                for c in 0..<logits.cols {
                    #expect(Double(logits[r, c]).isApproximatelyEqual(to: expected[r][c], absoluteTolerance: 1e-5))
                }
            }
            // The carried state equals the plain loops' final state.
            let carried = model.state
            for l in 0..<config.layers {
                let h = carried[l * (config.kind == .lstm ? 2 : 1)]
                for b in 0..<batch { for j in 0..<config.hiddenSize {
                    #expect(Double(h[b, j]).isApproximatelyEqual(to: state[l][0][b][j], absoluteTolerance: 1e-5))
                } }
            }
        }
    }
}
