import LMTensor

/// Long short-term memory layer (d2l 9.8), gate blocks [I | F | O | C̃]:
/// I, F, O = σ(X W_x· + H W_h· + b_·), C̃ = tanh(X W_xc + H W_hc + b_c),
/// C' = F ⊙ C + I ⊙ C̃, H' = O ⊙ tanh(C').
///
/// Parameters are gate-concatenated: `W_xh` inputSize × 4H, `W_hh` H × 4H, `b_h` 1 × 4H.
/// Per step: one B×H×4H product and element-wise work, forward and backward.
public final class LSTMCell<Scalar: TensorScalar>: RecurrentCell {
    public let inputSize: Int
    public let hiddenSize: Int
    public var gateCount: Int { 4 }
    public var stateCount: Int { 2 }
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
        (inputWeight, recurrentWeight, bias) = makeLayerParameters(prefix: prefix, inputSize: inputSize, hidden: hiddenSize, gates: 4)
        self.recurrentBias = makeRecurrentBias(prefix: prefix, hidden: hiddenSize, gates: 4, present: recurrentBias)
        workspace = CellWorkspace(hidden: hiddenSize, gates: 4, stateCount: 2)
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
            let gt = g + t * batch * w
            Scalar.recurrentProduct(m: batch, n: w, k: h, a: s + t * bh, lda: h, w: whh, ldw: w, c: gt, ldc: w, descending: t & 1 == 1)
            let cp = cs + t * bh, cn = cs + (t + 1) * bh, hn = s + (t + 1) * bh, tc = tcAll + t * bh
            WorkerPool.shared.parallelRows(batch, width: w) { rows in for b in rows {
                Scalar.lstmForward(gates: gt + b * w, cell: cp + b * h, newCell: cn + b * h,
                                   tanhCell: tc + b * h, hidden: hn + b * h, count: h)
            } }
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
            WorkerPool.shared.parallelRows(batch, width: w) { rows in for b in rows {
                Scalar.lstmBackward(gates: gt + b * w, cell: cp + b * h, tanhCell: tc + b * h,
                                    hiddenGradient: dht + b * h, cellGradient: dcCarry + b * h,
                                    gateGradients: dgt + b * w, count: h)
            } }
            if t > 0 && ws.fault != .dropRecurrentTerm {
                Scalar.recurrentProduct(m: batch, n: h, k: w, a: dgt, lda: w, w: whhT, ldw: h, c: dht - bh, ldc: h, descending: t & 1 == 1)
            }
        }
        let rows = steps * batch
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: w, k: rows, alpha: 1,
                    a: s, lda: h, b: dg, ldb: w, beta: 1, c: recurrentWeight.gradient.pointer, ldc: w)
        inputBackward(input, rows: rows, inputSize: inputSize, width: w,
                      weight: inputWeight, bias: bias, recurrentBias: recurrentBias, gateGradients: dg, inputGradient: inputGradient, fault: ws.fault)
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
        let g = state.gates.pointer, tc = state.scratch.pointer, whh = recurrentWeight.value.pointer
        for b in 0..<state.batch {
            let hb = state.output + b * h, cell = state.carried[1].pointer + b * h
            stepInputProjection(input, sequence: b, inputSize: inputSize, width: w,
                                weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g, schedule: schedule)
            Scalar.vectorMatrix(hb, whh, rows: h, cols: w, stride: w, into: g, schedule: schedule)
            Scalar.sigmoid(g, g, count: 3 * h)
            Scalar.tanh(g + 3 * h, g + 3 * h, count: h)
            let i = g, f = g + h, o = g + 2 * h, cc = g + 3 * h
            for j in 0..<h { cell[j] = f[j] * cell[j] + i[j] * cc[j] }
            Scalar.tanh(cell, tc, count: h)
            for j in 0..<h { hb[j] = o[j] * tc[j] }
        }
    }

    /// I = σ(x W_xi + h W_hi + b_i), F = σ(x W_xf + h W_hf + b_f), O = σ(x W_xo + h W_ho + b_o),
    /// C̃ = tanh(x W_xc + h W_hc + b_c), c' = F ⊙ c + I ⊙ C̃, h' = O ⊙ tanh(c').
    public func referenceStep(input x: [Double], state: [[Double]]) -> [[Double]] {
        func gate(_ g: Int) -> [Double] {
            referenceGate(g, x: x, h: state[0], inputWeight: inputWeight, recurrentWeight: recurrentWeight,
                          bias: bias, recurrentBias: recurrentBias, hidden: hiddenSize)
        }
        let i = Reference.sigmoid(gate(0))
        let f = Reference.sigmoid(gate(1))
        let o = Reference.sigmoid(gate(2))
        let candidate = Reference.tanh(gate(3))
        let c = (0..<hiddenSize).map { f[$0] * state[1][$0] + i[$0] * candidate[$0] }
        let tanhC = Reference.tanh(c)
        let h = (0..<hiddenSize).map { o[$0] * tanhC[$0] }
        return [h, c]
    }
}
