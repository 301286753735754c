import LMSettings
import LMTensor

/// Long short-term memory layer (d2l 9.8), gate blocks [I | F | O | C̃]:
/// I, F, O = σ(X W_x· + H W_h· + b_·), C̃ = tanh(X W_xc + H W_hc + b_c),
/// C' = F ⊙ C + I ⊙ C̃, H' = O ⊙ tanh(C').
///
/// Parameters are gate-concatenated: `W_xh` inputSize × 4H, `W_hh` H × 4H, `b_h` 1 × 4H.
/// Per step: one B×H×4H product and element-wise work, forward and backward.
public final class LSTMCell<Scalar: TensorScalar>: RecurrentCell {
    public typealias Definition = LSTMDefinition
    public let inputSize: Int
    public let hiddenSize: Int
    /// Input weights, inputSize × 4H ([I | F | O | C̃]).
    public let inputWeight: Parameter<Scalar>
    /// Recurrent weights, H × 4H.
    public let recurrentWeight: Parameter<Scalar>
    /// Biases, 1 × 4H.
    public let bias: Parameter<Scalar>
    /// The second bias b_hh (1 × G·H, PyTorch's), or nil: the gates use b_h + b_hh.
    public let recurrentBias: Parameter<Scalar>?
    public var parameters: [Parameter<Scalar>] { [inputWeight, recurrentWeight, bias] + (recurrentBias.map { [$0] } ?? []) }
    public let workspace: CellWorkspace<Scalar>

    /// A layer named `prefix` (e.g. "lstm.0") with zero weights, and a second bias b_hh when
    /// `recurrentBias` is set.
    public init(prefix: String, inputSize: Int, hiddenSize: Int, recurrentBias: Bool = false) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        (inputWeight, recurrentWeight, bias) = makeLayerParameters(prefix: prefix, inputSize: inputSize, hidden: hiddenSize, gates: Definition.gateCount)
        self.recurrentBias = makeRecurrentBias(prefix: prefix, hidden: hiddenSize, gates: Definition.gateCount, present: recurrentBias)
        workspace = CellWorkspace(hidden: hiddenSize, gates: Definition.gateCount, stateCount: Definition.stateCount)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(input: CellInput<Scalar>, steps: Int, batch: Int) {
        let ws = workspace
        ws.prepare(steps: steps, batch: batch)
        let h = hiddenSize, bh = batch * h, w = 4 * h
        let g = ws.gateValues.pointer, s = ws.states.pointer, cs = ws.cells.pointer
        let tcAll = ws.auxiliary.pointer, whh = ws.recurrentWeights(recurrentWeight)
        inputProjection(input, rows: steps * batch, inputSize: inputSize, width: w,
                        weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g)
        s.update(from: ws.carried[0].pointer, count: bh)
        cs.update(from: ws.carried[1].pointer, count: bh)
        for t in 0..<steps {
            let gt = g + t * batch * w, hp = s + t * bh
            let cp = cs + t * bh, cn = cs + (t + 1) * bh, hn = s + (t + 1) * bh, tc = tcAll + t * bh
            // Each part of the units: their gate columns += H_{t−1} W_hh, then their C', H'.
            RecurrentStep.run(units: h, work: batch * w * h, descending: t & 1 == 1) { u in
                Scalar.recurrentUnits(m: batch, k: h, units: u, gates: 4, blockWidth: h, a: hp, lda: h, w: whh, ldw: w,
                                      c: gt, ldc: w, descending: t & 1 == 1)
                for b in 0..<batch {
                    let j = b * h + u.lowerBound
                    Units(gates: gt + b * w + u.lowerBound, cell: cp + j, newCell: cn + j, tanhCell: tc + j,
                          hidden: hn + j, width: h).run(count: u.count)
                }
            }
        }
        ws.carried[0].pointer.update(from: s + steps * bh, count: bh)
        ws.carried[1].pointer.update(from: cs + steps * bh, count: bh)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(input: CellInput<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>?) {
        let ws = workspace
        let steps = ws.steps, batch = ws.batch, h = hiddenSize, bh = batch * h, w = 4 * h
        let g = ws.gateValues.pointer, dg = ws.gateGradients.pointer, dh = ws.outputGradients
        let s = ws.states.pointer, cs = ws.cells.pointer, tcAll = ws.auxiliary.pointer
        let dcCarry = ws.scratch.pointer, whhT = ws.transposeRecurrent(recurrentWeight)
        dcCarry.update(repeating: 0, count: bh)  // no gradient from beyond the window
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let gt = g + t * batch * w, dgt = dg + t * batch * w, dht = dh + t * bh
            let cp = cs + t * bh, tc = tcAll + t * bh
            // Each part of the units: their ∂H_t += ∂G_{t+1} W_hhᵀ (every gate of step t + 1 is
            // done), then their gate gradients and the carry ∂C_{t−1}.
            RecurrentStep.backward(step: t, of: steps, batch: batch, units: h, depth: w, gateWidth: w,
                                   gateGradients: dgt, transposed: whhT, outputGradients: dht) { u in
                for b in 0..<batch {
                    let j = b * h + u.lowerBound
                    UnitGradients(gates: gt + b * w + u.lowerBound, cell: cp + j, tanhCell: tc + j, hiddenGradient: dht + j,
                                  cellGradient: dcCarry + j, gateGradients: dgt + b * w + u.lowerBound, width: h).run(count: u.count)
                }
            }
        }
        let rows = steps * batch
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: w, k: rows, alpha: 1,
                    a: s, lda: h, b: dg, ldb: w, beta: 1, c: recurrentWeight.gradient.pointer, ldc: w)
        inputBackward(input, rows: rows, inputSize: inputSize, width: w,
                      weight: inputWeight, bias: bias, recurrentBias: recurrentBias, gateGradients: dg, inputGradient: inputGradient)
    }
}

// MARK: - One step (generation)

extension LSTMCell {
    /// [I | F | O | C̃] = x W_xh + b_h + H W_hh; C' = F ⊙ C + I ⊙ C̃; H' = O ⊙ tanh(C'), for
    /// each sequence (see ``RecurrentCell/step(input:state:schedule:)``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step(input: CellInput<Scalar>, state: CellStepState<Scalar>, schedule: VectorMatrix.Schedule) {
        let h = hiddenSize, w = 4 * h
        let g = state.gates.pointer, tc = state.scratch.pointer, whh = recurrentWeight.value.pointer, rows = state.rows
        let hs = state.output, cells = state.carried[1].pointer
        if rows == 1 {
            stepInputProjection(input, sequence: 0, inputSize: inputSize, width: w,
                                weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g, schedule: schedule)
            Scalar.vectorMatrix(hs, whh, rows: h, cols: w, stride: w, into: g, schedule: schedule)
            Units(gates: g, cell: cells, newCell: cells, tanhCell: tc, hidden: hs, width: h).run(count: h)
            return
        }
        stepInputProjections(input, rows: rows, inputSize: inputSize, width: w,
                             weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g, schedule: schedule)
        Scalar.vectorMatrixRows(count: rows, hs, xStride: h, whh, rows: h, cols: w, stride: w, into: g, yStride: w, schedule: schedule)
        for b in 0..<rows {
            let cell = cells + b * h
            Units(gates: g + b * w, cell: cell, newCell: cell, tanhCell: tc, hidden: hs + b * h, width: h).run(count: h)
        }
    }

    /// I = σ(x W_xi + h W_hi + b_i), F = σ(x W_xf + h W_hf + b_f), O = σ(x W_xo + h W_ho + b_o),
    /// C̃ = tanh(x W_xc + h W_hc + b_c), c' = F ⊙ c + I ⊙ C̃, h' = O ⊙ tanh(c').
    public func referenceStep(input x: [Double], state: [[Double]]) -> [[Double]] {
        func gate(_ g: Int) -> [Double] {
            referenceGate(g, x: x, h: state[0], inputWeight: inputWeight, recurrentWeight: recurrentWeight,
                          bias: bias, recurrentBias: recurrentBias, hidden: hiddenSize)
        }
        let i = gate(0), f = gate(1), o = gate(2), candidate = gate(3)
        let units = (0..<hiddenSize).map { j in
            Self.units(input: i[j], forget: f[j], output: o[j], candidate: candidate[j], cell: state[1][j])
        }
        return [units.map(\.hidden), units.map(\.cell)]
    }
}

// MARK: - The element-wise math (its one definition)

extension LSTMCell {
    /// One block of units of a step, from the gate pre-activations and C: the activations
    /// I, F, O = σ(·), C̃ = tanh(·), C' = F ⊙ C + I ⊙ C̃, tanh(C') and H' = O ⊙ tanh(C').
    /// The window forward, the single step and ``referenceStep(input:state:)`` all run this.
    @inline(__always)
    static func units<L: Lanes>(input: L, forget: L, output: L, candidate: L, cell: L)
        -> (input: L, forget: L, output: L, candidate: L, cell: L, tanhCell: L, hidden: L) {
        let i = L.sigmoidActivation(input), f = L.sigmoidActivation(forget)
        let o = L.sigmoidActivation(output), cc = L.tanhActivation(candidate)
        let c = f * cell + i * cc
        let t = L.tanhActivation(c)
        return (i, f, o, cc, c, t, o * t)
    }

    /// One block of units of a step backward, from the gate activations, C_{t−1}, tanh(C_t),
    /// ∂loss/∂H_t and the carry ∂loss/∂C_t: the gate pre-activation gradients and the new
    /// carry ∂loss/∂C_{t−1}.
    @inline(__always)
    static func unitGradients<L: Lanes>(input i: L, forget f: L, output o: L, candidate cc: L, cell c: L, tanhCell t: L,
                                        hiddenGradient d: L, cellGradient carry: L)
        -> (input: L, forget: L, output: L, candidate: L, cell: L) {
        let one = L.one
        let dc = carry + d * o * (one - t * t)
        return (dc * cc * i * (one - i), dc * c * f * (one - f), d * t * o * (one - o), dc * i * (one - cc * cc), dc * f)
    }

    /// ``units(input:forget:output:candidate:cell:)`` over a row: `gates` (4 × width, [I | F |
    /// O | C̃] pre-activations) become the activations; `newCell` (may be `cell`), `tanhCell`
    /// and `hidden` get C', tanh(C'), H'.
    struct Units: LaneKernel {
        let gates: UnsafeMutablePointer<Scalar>, cell: UnsafePointer<Scalar>, newCell: UnsafeMutablePointer<Scalar>
        let tanhCell: UnsafeMutablePointer<Scalar>, hidden: UnsafeMutablePointer<Scalar>, width: Int

        @inline(__always)
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            let h = width, g = gates + j
            let u = LSTMCell.units(input: L.load(g), forget: L.load(g + h), output: L.load(g + 2 * h),
                                   candidate: L.load(g + 3 * h), cell: L.load(cell + j))
            u.input.store(g); u.forget.store(g + h); u.output.store(g + 2 * h); u.candidate.store(g + 3 * h)
            u.cell.store(newCell + j); u.tanhCell.store(tanhCell + j); u.hidden.store(hidden + j)
        }
    }

    /// ``unitGradients(input:forget:output:candidate:cell:tanhCell:hiddenGradient:cellGradient:)``
    /// over a row: writes `gateGradients` (4 × width) and replaces the carry `cellGradient`.
    struct UnitGradients: LaneKernel {
        let gates: UnsafePointer<Scalar>, cell: UnsafePointer<Scalar>, tanhCell: UnsafePointer<Scalar>
        let hiddenGradient: UnsafePointer<Scalar>, cellGradient: UnsafeMutablePointer<Scalar>
        let gateGradients: UnsafeMutablePointer<Scalar>, width: Int

        @inline(__always)
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            let h = width, g = gates + j, dg = gateGradients + j
            let d = LSTMCell.unitGradients(input: L.load(g), forget: L.load(g + h), output: L.load(g + 2 * h),
                                           candidate: L.load(g + 3 * h), cell: L.load(cell + j), tanhCell: L.load(tanhCell + j),
                                           hiddenGradient: L.load(hiddenGradient + j), cellGradient: L.load(cellGradient + j))
            d.input.store(dg); d.forget.store(dg + h); d.output.store(dg + 2 * h); d.candidate.store(dg + 3 * h)
            d.cell.store(cellGradient + j)
        }
    }
}

/// The `lstm` kind (``LSTMCell``): four gate blocks [I | F | O | C̃], the states h and c;
/// PyTorch's `nn.LSTM`, whose blocks are [i | f | g | o] (LMKit's blocks 2 and 3 swap).
public enum LSTMDefinition: CellDefinition {
    public static let kind = ModelConfig.Kind.lstm
    public static let gateCount = 4
    public static let stateCount = 2
    public static let pyTorch: PyTorchCell? = PyTorchCell(modules: [.tanh: "LSTM"], blockOrder: [0, 1, 3, 2])

    public static func makeLayer<Scalar: TensorScalar>(prefix: String, inputSize: Int, hiddenSize: Int,
                                                       architecture: some RecurrentArchitecture) -> any RecurrentCell<Scalar> {
        LSTMCell<Scalar>(prefix: prefix, inputSize: inputSize, hiddenSize: hiddenSize,
                         recurrentBias: architecture.recurrentBias)
    }

    /// Sets each layer's forget-gate bias (columns [H, 2H) of b_h) to `value`, and zeroes that
    /// block of b_hh where there is one, so each forget gate's total bias is `value`.
    static func setForgetBias<Scalar: TensorScalar>(_ value: Double, in cells: [any RecurrentCell<Scalar>]) {
        for case let c as LSTMCell<Scalar> in cells {
            let h = c.hiddenSize
            for j in h..<(2 * h) {
                c.bias.value[j] = Scalar(value)
                c.recurrentBias?.value[j] = 0
            }
        }
    }
}
