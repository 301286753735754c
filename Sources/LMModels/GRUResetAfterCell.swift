import LMTensor

/// PyTorch's gated recurrent unit (`nn.GRU`; cuDNN's, Keras `reset_after`), gate blocks
/// [R | Z | N]: the reset gate scales the recurrent product rather than the state,
/// R = σ(X W_xr + b_r + H W_hr + b_hr), Z = σ(X W_xz + b_z + H W_hz + b_hz),
/// N = tanh(X W_xn + b_n + R ⊙ (H W_hn + b_hn)), H' = (1 − Z) ⊙ N + Z ⊙ H.
///
/// Parameters as ``GRUCell``'s (`W_xh` inputSize × 3H, `W_hh` H × 3H, `b_h` 1 × 3H and the
/// optional `b_hh` 1 × 3H, columns [0, H) R, [H, 2H) Z, [2H, 3H) N), so they map one to one
/// onto PyTorch's `weight_ih`ᵀ, `weight_hh`ᵀ, `bias_ih`, `bias_hh`. b_hh's N block sits inside
/// R ⊙ (…), so it is not folded into the input projection as the other cells fold b_hh.
/// Per step: one B×H×3H product H W_hh + b_hh (its N block kept for backward), element-wise
/// work; backward one B×3H×H product per step and the weight gradient as GEMMs over the window.
public final class GRUResetAfterCell<Scalar: TensorScalar>: RecurrentCell {
    public let inputSize: Int
    public let hiddenSize: Int
    public var gateCount: Int { 3 }
    public var stateCount: Int { 1 }
    /// Input weights, inputSize × 3H ([R | Z | N]).
    public let inputWeight: Parameter<Scalar>
    /// Recurrent weights, H × 3H ([R | Z | N]).
    public let recurrentWeight: Parameter<Scalar>
    /// Input-side biases b_ih, 1 × 3H.
    public let bias: Parameter<Scalar>
    /// The recurrent-side bias b_hh (1 × 3H, PyTorch's), or nil (zero).
    public let recurrentBias: Parameter<Scalar>?
    public var parameters: [Parameter<Scalar>] { [inputWeight, recurrentWeight, bias] + (recurrentBias.map { [$0] } ?? []) }
    public let workspace: CellWorkspace<Scalar>

    /// A layer named `prefix` (e.g. "gru.0") with zero weights, and a second bias b_hh when
    /// `recurrentBias` is set.
    public init(prefix: String, inputSize: Int, hiddenSize: Int, recurrentBias: Bool = false) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        (inputWeight, recurrentWeight, bias) = makeLayerParameters(prefix: prefix, inputSize: inputSize, hidden: hiddenSize, gates: 3)
        self.recurrentBias = makeRecurrentBias(prefix: prefix, hidden: hiddenSize, gates: 3, present: recurrentBias)
        // Scratch B × 3H: each step's recurrent product H W_hh + b_hh.
        workspace = CellWorkspace(hidden: hiddenSize, gates: 3, stateCount: 1, scratchWidth: 3)
    }

    /// Forward. Buffers: gate values hold X W_xh + b_h, then the activations [R | Z | N];
    /// auxiliary holds each step's H W_hn + b_hn (T·B × H).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(input: CellInput<Scalar>, steps: Int, batch: Int) {
        let ws = workspace
        ws.prepare(steps: steps, batch: batch)
        let h = hiddenSize, bh = batch * h, w = 3 * h
        let g = ws.gateValues.pointer, s = ws.states.pointer, hnAll = ws.auxiliary.pointer, p = ws.scratch.pointer
        let whh = ws.recurrentWeights(recurrentWeight), bhh = recurrentBias?.value.pointer
        inputProjection(input, rows: steps * batch, inputSize: inputSize, width: w,
                        weight: inputWeight, bias: bias, recurrentBias: nil, into: g)
        s.update(from: ws.carried[0].pointer, count: bh)
        for t in 0..<steps {
            let gt = g + t * batch * w, hp = s + t * bh, hn = s + (t + 1) * bh, rec = hnAll + t * bh
            // P = H W_hh + b_hh, B × 3H.
            if let bhh { for b in 0..<batch { (p + b * w).update(from: bhh, count: w) } } else { p.update(repeating: 0, count: batch * w) }
            Scalar.recurrentProduct(m: batch, n: w, k: h, a: hp, lda: h, w: whh, ldw: w, c: p, ldc: w, descending: t & 1 == 1)
            WorkerPool.shared.parallelRows(batch, width: w) { rows in for b in rows {
                let row = gt + b * w, pb = p + b * w
                for j in 0..<(2 * h) { row[j] += pb[j] }
                Scalar.sigmoid(row, row, count: 2 * h)
                let r = row, z = row + h, n = row + 2 * h, pn = pb + 2 * h, recb = rec + b * h
                for j in 0..<h {
                    recb[j] = pn[j]
                    n[j] += r[j] * pn[j]
                }
                Scalar.tanh(n, n, count: h)
                let hpb = hp + b * h, hnb = hn + b * h
                for j in 0..<h { hnb[j] = (1 - z[j]) * n[j] + z[j] * hpb[j] }
            } }
        }
        ws.carried[0].pointer.update(from: s + steps * bh, count: bh)
    }

    /// Backward. Gate gradients first hold the recurrent product's gradient
    /// [dR_pre | dZ_pre | R ⊙ dN_pre] (for W_hh, b_hh and dH_{t−1}), and auxiliary dN_pre in
    /// place of H W_hn + b_hn; then dN_pre moves into the gate gradients for the input side.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(input: CellInput<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>?) {
        let ws = workspace
        let steps = ws.steps, batch = ws.batch, h = hiddenSize, bh = batch * h, w = 3 * h
        let g = ws.gateValues.pointer, dg = ws.gateGradients.pointer, dh = ws.outputGradients
        let s = ws.states.pointer, aux = ws.auxiliary.pointer
        let whhT = ws.transposeRecurrent(recurrentWeight)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let gt = g + t * batch * w, dgt = dg + t * batch * w, dht = dh + t * bh, hp = s + t * bh, auxt = aux + t * bh
            let dprev = dht - bh
            WorkerPool.shared.parallelRows(batch, width: w) { rows in for b in rows {
                let r = gt + b * w, z = r + h, n = r + 2 * h
                let dr = dgt + b * w, dz = dr + h, dn = dr + 2 * h
                let d = dht + b * h, hpb = hp + b * h, a = auxt + b * h
                for j in 0..<h {
                    let dnPre = d[j] * (1 - z[j]) * (1 - n[j] * n[j])
                    dz[j] = d[j] * (hpb[j] - n[j]) * z[j] * (1 - z[j])
                    dr[j] = dnPre * a[j] * r[j] * (1 - r[j])
                    dn[j] = dnPre * r[j]
                    a[j] = dnPre
                }
                if t > 0 {
                    let out = dprev + b * h
                    for j in 0..<h { out[j] += d[j] * z[j] }
                }
            } }
            guard t > 0, ws.fault != .dropRecurrentTerm else { continue }
            // dH_{t−1} += [dR | dZ | R ⊙ dN] · W_hhᵀ.
            Scalar.recurrentProduct(m: batch, n: h, k: w, a: dgt, lda: w, w: whhT, ldw: h, c: dprev, ldc: h, descending: t & 1 == 1)
        }
        let rows = steps * batch
        // W_hh += [H_0 … H_{T−1}]ᵀ · [dR | dZ | R ⊙ dN];  b_hh += its column sums.
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: w, k: rows, alpha: 1,
                    a: s, lda: h, b: dg, ldb: w, beta: 1, c: recurrentWeight.gradient.pointer, ldc: w)
        if let bhh = recurrentBias, ws.fault != .dropRecurrentBiasGradient {
            let db = bhh.gradient.pointer
            let candidateFault = ws.fault == .candidateBiasGradientWithoutReset
            WorkerPool.shared.parallelColumns(w, rows: rows) { cols in
                for r in 0..<rows {
                    let gr = dg + r * w
                    for j in cols {
                        db[j] += candidateFault && j >= 2 * h ? aux[r * h + j - 2 * h] : gr[j]
                    }
                }
            }
        }
        // The input side sees dN_pre: X W_xn + b_n enter N outside the reset gate.
        WorkerPool.shared.parallelRows(rows, width: h) { block in
            for r in block { (dg + r * w + 2 * h).update(from: aux + r * h, count: h) }
        }
        inputBackward(input, rows: rows, inputSize: inputSize, width: w,
                      weight: inputWeight, bias: bias, recurrentBias: nil, gateGradients: dg, inputGradient: inputGradient, fault: ws.fault)
    }
}

// MARK: - One step (generation)

extension GRUResetAfterCell {
    /// Gates, then P = h W_hh + b_hh: one G·H row each.
    public func makeStepState(batch: Int) -> CellStepState<Scalar> {
        CellStepState(batch: batch, hidden: hiddenSize, stateCount: 1, gates: 3, scratchCount: 3 * hiddenSize)
    }

    /// [R | Z | N] = x W_xh + b_h; P = h W_hh + b_hh; [R | Z] += P[r|z], σ;
    /// N = tanh(N + R ⊙ P_n); h' = (1 − Z) ⊙ N + Z ⊙ h, for each sequence
    /// (see ``RecurrentCell/step(input:state:schedule:)``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step(input: CellInput<Scalar>, state: CellStepState<Scalar>, schedule: VectorMatrix.Schedule) {
        let h = hiddenSize, w = 3 * h
        let g = state.gates.pointer, p = state.scratch.pointer, whh = recurrentWeight.value.pointer
        let bhh = recurrentBias?.value.pointer
        for b in 0..<state.batch {
            let hb = state.output + b * h
            stepInputProjection(input, sequence: b, inputSize: inputSize, width: w,
                                weight: inputWeight, bias: bias, recurrentBias: nil, into: g, schedule: schedule)
            if let bhh { p.update(from: bhh, count: w) } else { p.update(repeating: 0, count: w) }
            Scalar.vectorMatrix(hb, whh, rows: h, cols: w, stride: w, into: p, schedule: schedule)
            for j in 0..<(2 * h) { g[j] += p[j] }
            Scalar.sigmoid(g, g, count: 2 * h)
            let z = g + h, n = g + 2 * h, pn = p + 2 * h
            for j in 0..<h { n[j] += g[j] * pn[j] }
            Scalar.tanh(n, n, count: h)
            for j in 0..<h { hb[j] = (1 - z[j]) * n[j] + z[j] * hb[j] }
        }
    }

    /// PyTorch's equations per gate: R = σ(x W_xr + b_r + h W_hr + b_hr),
    /// Z = σ(x W_xz + b_z + h W_hz + b_hz), N = tanh(x W_xn + b_n + R ⊙ (h W_hn + b_hn)),
    /// h' = (1 − Z) ⊙ N + Z ⊙ h.
    public func referenceStep(input x: [Double], state: [[Double]]) -> [[Double]] {
        let h = state[0], hidden = hiddenSize
        // x · W_x,g + b_g and h · W_h,g + b_hh,g for gate block g, unit j.
        func inputPart(_ g: Int, _ j: Int) -> Double {
            let c = g * hidden + j
            var sum = Double(bias.value[c])
            for i in 0..<x.count { sum += x[i] * Double(inputWeight.value[i * inputWeight.cols + c]) }
            return sum
        }
        func recurrentPart(_ g: Int, _ j: Int) -> Double {
            let c = g * hidden + j
            var sum = recurrentBias.map { Double($0.value[c]) } ?? 0
            for i in 0..<hidden { sum += h[i] * Double(recurrentWeight.value[i * recurrentWeight.cols + c]) }
            return sum
        }
        var next = [Double](repeating: 0, count: hidden)
        for j in 0..<hidden {
            let r = Reference.sigmoid([inputPart(0, j) + recurrentPart(0, j)])[0]
            let z = Reference.sigmoid([inputPart(1, j) + recurrentPart(1, j)])[0]
            let n = Reference.tanh([inputPart(2, j) + r * recurrentPart(2, j)])[0]
            next[j] = (1 - z) * n + z * h[j]
        }
        return [next]
    }
}
