import LMTensor

/// Elman RNN layer (d2l 9.5): H_t = φ(X_t W_xh + H_{t−1} W_hh + b_h), φ = tanh or relu.
///
/// Per step the only sequential work is one B×H×H product and the activation; the input
/// projection, and the W_xh, W_hh, b_h gradients of a window, are single large products.
public final class RNNCell<Scalar: TensorScalar>: RecurrentCell {
    public let inputSize: Int
    public let hiddenSize: Int
    public var gateCount: Int { 1 }
    public var stateCount: Int { 1 }
    /// The nonlinearity φ.
    public let activation: ModelConfig.Activation
    /// Input weights, inputSize × H.
    public let inputWeight: Parameter<Scalar>
    /// Recurrent weights, H × H.
    public let recurrentWeight: Parameter<Scalar>
    /// Bias, 1 × H.
    public let bias: Parameter<Scalar>
    public var parameters: [Parameter<Scalar>] { [inputWeight, recurrentWeight, bias] }
    public let workspace: CellWorkspace<Scalar>
    var fault = BackwardFault.none

    /// A layer named `prefix` (e.g. "rnn.0") with zero weights.
    public init(prefix: String, inputSize: Int, hiddenSize: Int, activation: ModelConfig.Activation) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.activation = activation
        (inputWeight, recurrentWeight, bias) = makeLayerParameters(prefix: prefix, inputSize: inputSize, hidden: hiddenSize, gates: 1)
        workspace = CellWorkspace(hidden: hiddenSize, gates: 1, stateCount: 1)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(input: CellInput<Scalar>, steps: Int, batch: Int) {
        let ws = workspace
        ws.prepare(steps: steps, batch: batch)
        let h = hiddenSize, bh = batch * h
        let g = ws.gateValues.pointer, s = ws.states.pointer, whh = recurrentWeight.value.pointer
        inputProjection(input, rows: steps * batch, inputSize: inputSize, width: h,
                        weight: inputWeight, bias: bias, into: g)
        s.update(from: ws.carried[0].pointer, count: bh)
        for t in 0..<steps {
            let gt = g + t * bh
            // gt += H_{t−1} W_hh, then H_t = φ(gt).
            Scalar.recurrentProduct(m: batch, n: h, k: h, a: s + t * bh, lda: h, w: whh, ldw: h, c: gt, ldc: h)
            let out = s + (t + 1) * bh, act = activation
            parallelRows(batch, width: h) { r in
                let o = r.lowerBound * h, n = r.count * h
                switch act {
                case .tanh: Scalar.tanh(gt + o, out + o, count: n)
                case .relu: Scalar.relu(gt + o, out + o, count: n)
                }
            }
        }
        ws.carried[0].pointer.update(from: s + steps * bh, count: bh)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(input: CellInput<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>?) {
        let ws = workspace
        let steps = ws.steps, batch = ws.batch, h = hiddenSize, bh = batch * h
        let dg = ws.gateGradients.pointer, dh = ws.outputGradients, s = ws.states.pointer
        let whhT = ws.transposeRecurrent(recurrentWeight)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let dgt = dg + t * bh, dht = dh + t * bh, ht = s + (t + 1) * bh
            // dG_t = dH_t ⊙ φ'(H_t), with φ' read from the output.
            let act = activation
            parallelRows(batch, width: h) { r in
                let o = r.lowerBound * h, n = r.count * h
                (dgt + o).update(from: dht + o, count: n)
                switch act {
                case .tanh: Activations.tanhBackward(output: ht + o, gradient: dgt + o, count: n)
                case .relu: Activations.reluBackward(output: ht + o, gradient: dgt + o, count: n)
                }
            }
            // dH_{t−1} += dG_t W_hhᵀ (the gradient into the carried-in state is dropped).
            if t > 0 && fault != .dropRecurrentTerm {
                Scalar.recurrentProduct(m: batch, n: h, k: h, a: dgt, lda: h, w: whhT, ldw: h, c: dht - bh, ldc: h)
            }
        }
        // W_hh += [H_0 … H_{T−1}]ᵀ · [dG_1 … dG_T]: one product over the window.
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: h, k: steps * batch, alpha: 1,
                    a: s, lda: h, b: dg, ldb: h, beta: 1, c: recurrentWeight.gradient.pointer, ldc: h)
        inputBackward(input, rows: steps * batch, inputSize: inputSize, width: h,
                      weight: inputWeight, bias: bias, gateGradients: dg, inputGradient: inputGradient)
    }
}
