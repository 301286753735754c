import LMTensor

/// Gated recurrent unit layer (d2l 9.7), gate blocks [R | Z | H̃]:
/// R = σ(X W_xr + H W_hr + b_r), Z = σ(X W_xz + H W_hz + b_z),
/// H̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h), H' = Z ⊙ H + (1 − Z) ⊙ H̃.
///
/// Parameters are gate-concatenated: `W_xh` inputSize × 3H, `W_hh` H × 3H, `b_h` 1 × 3H,
/// columns [0, H) for R, [H, 2H) for Z, [2H, 3H) for H̃. Per step: one B×H×2H product
/// (R, Z), one B×H×H product (candidate), element-wise work; backward likewise.
public final class GRUCell<Scalar: TensorScalar>: RecurrentCell {
    public let inputSize: Int
    public let hiddenSize: Int
    public var gateCount: Int { 3 }
    public var stateCount: Int { 1 }
    /// Input weights, inputSize × 3H ([R | Z | H̃]).
    public let inputWeight: Parameter<Scalar>
    /// Recurrent weights, H × 3H ([R | Z | H̃]).
    public let recurrentWeight: Parameter<Scalar>
    /// Biases, 1 × 3H.
    public let bias: Parameter<Scalar>
    /// The second bias b_hh (1 × G·H, PyTorch's), or nil: the gates use b_h + b_hh.
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
        workspace = CellWorkspace(hidden: hiddenSize, gates: 3, stateCount: 1)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(input: CellInput<Scalar>, steps: Int, batch: Int) {
        let ws = workspace
        ws.prepare(steps: steps, batch: batch)
        let h = hiddenSize, bh = batch * h, w = 3 * h
        let g = ws.gateValues.pointer, s = ws.states.pointer, rhAll = ws.auxiliary.pointer
        let whh = ws.recurrentWeights(recurrentWeight)
        inputProjection(input, rows: steps * batch, inputSize: inputSize, width: w,
                        weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g)
        s.update(from: ws.carried[0].pointer, count: bh)
        for t in 0..<steps {
            let gt = g + t * batch * w, hp = s + t * bh, hn = s + (t + 1) * bh, rh = rhAll + t * bh
            // [R | Z] pre-activations += H W_h[r|z].
            Scalar.recurrentProduct(m: batch, n: 2 * h, k: h, a: hp, lda: h, w: whh, ldw: w, c: gt, ldc: w, descending: t & 1 == 1)
            WorkerPool.shared.parallelRows(batch, width: w) { rows in for b in rows {
                let row = gt + b * w
                Scalar.sigmoid(row, row, count: 2 * h)
                let r = row, hpb = hp + b * h, rhb = rh + b * h
                for j in 0..<h { rhb[j] = r[j] * hpb[j] }
            } }
            // H̃ pre-activation += (R ⊙ H) W_hh.
            Scalar.recurrentProduct(m: batch, n: h, k: h, a: rh, lda: h, w: whh + 2 * h, ldw: w, c: gt + 2 * h, ldc: w, descending: t & 1 == 1)
            WorkerPool.shared.parallelRows(batch, width: w) { rows in for b in rows {
                let row = gt + b * w
                let z = row + h, c = row + 2 * h
                Scalar.tanh(c, c, count: h)
                let hpb = hp + b * h, hnb = hn + b * h
                for j in 0..<h { hnb[j] = z[j] * hpb[j] + (1 - z[j]) * c[j] }
            } }
        }
        ws.carried[0].pointer.update(from: s + steps * bh, count: bh)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(input: CellInput<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>?) {
        let ws = workspace
        let steps = ws.steps, batch = ws.batch, h = hiddenSize, bh = batch * h, w = 3 * h
        let g = ws.gateValues.pointer, dg = ws.gateGradients.pointer, dh = ws.outputGradients
        let s = ws.states.pointer, rhAll = ws.auxiliary.pointer, drh = ws.scratch.pointer
        // W_hhᵀ (3H × H): rows [0, 2H) are W_h[r|z]ᵀ, rows [2H, 3H) the candidate's.
        let whhT = ws.transposeRecurrent(recurrentWeight)
        for t in stride(from: steps - 1, through: 0, by: -1) {
            let gt = g + t * batch * w, dgt = dg + t * batch * w, dht = dh + t * bh, hp = s + t * bh
            // Z and candidate pre-activation gradients.
            WorkerPool.shared.parallelRows(batch, width: w) { rows in for b in rows {
                let z = gt + b * w + h, c = gt + b * w + 2 * h
                let dz = dgt + b * w + h, dc = dgt + b * w + 2 * h
                let d = dht + b * h, hpb = hp + b * h
                for j in 0..<h { dz[j] = d[j] * (hpb[j] - c[j]) * z[j] * (1 - z[j]) }
                for j in 0..<h { dc[j] = d[j] * (1 - z[j]) * (1 - c[j] * c[j]) }
            } }
            // ∂(R ⊙ H) = dH̃_pre · W_hhᵀ.
            drh.update(repeating: 0, count: bh)
            Scalar.recurrentProduct(m: batch, n: h, k: h, a: dgt + 2 * h, lda: w, w: whhT + 2 * h * h, ldw: h, c: drh, ldc: h, descending: t & 1 == 1)
            // dR_pre, and dH_{t−1} += dH ⊙ Z + ∂(R ⊙ H) ⊙ R (then + [dR | dZ] · W_h[r|z]ᵀ).
            let dprev = dht - bh
            WorkerPool.shared.parallelRows(batch, width: w) { rows in for b in rows {
                let r = gt + b * w, dr = dgt + b * w, d = drh + b * h, hpb = hp + b * h
                for j in 0..<h { dr[j] = d[j] * hpb[j] * r[j] * (1 - r[j]) }
                if t > 0 {
                    let z = r + h, dh = dht + b * h, out = dprev + b * h
                    for j in 0..<h { out[j] += dh[j] * z[j] + d[j] * r[j] }
                }
            } }
            guard t > 0 else { continue }
            if ws.fault != .dropRecurrentTerm {
                Scalar.recurrentProduct(m: batch, n: h, k: 2 * h, a: dgt, lda: w, w: whhT, ldw: h, c: dprev, ldc: h, descending: t & 1 == 1)
            }
        }
        let rows = steps * batch, dwhh = recurrentWeight.gradient.pointer
        // W_h[r|z] += [H_0 … H_{T−1}]ᵀ · [dR | dZ];  W_hh(h̃) += [R ⊙ H]ᵀ · dH̃_pre.
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: 2 * h, k: rows, alpha: 1,
                    a: s, lda: h, b: dg, ldb: w, beta: 1, c: dwhh, ldc: w)
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: h, k: rows, alpha: 1,
                    a: rhAll, lda: h, b: dg + 2 * h, ldb: w, beta: 1, c: dwhh + 2 * h, ldc: w)
        inputBackward(input, rows: rows, inputSize: inputSize, width: w,
                      weight: inputWeight, bias: bias, recurrentBias: recurrentBias, gateGradients: dg, inputGradient: inputGradient, fault: ws.fault)
    }
}

// MARK: - One step (generation)

extension GRUCell {
    /// [R | Z | H̃] = x W_xh + b_h; [R | Z] += H W_h[r|z], σ; H̃ += (R ⊙ H) W_hh(h̃), tanh;
    /// H' = Z ⊙ H + (1 − Z) ⊙ H̃, for each sequence (see ``RecurrentCell/step(input:state:schedule:)``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step(input: CellInput<Scalar>, state: CellStepState<Scalar>, schedule: VectorMatrix.Schedule) {
        let h = hiddenSize, w = 3 * h
        let g = state.gates.pointer, rh = state.scratch.pointer, whh = recurrentWeight.value.pointer
        for b in 0..<state.batch {
            let hb = state.output + b * h
            stepInputProjection(input, sequence: b, inputSize: inputSize, width: w,
                                weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g, schedule: schedule)
            Scalar.vectorMatrix(hb, whh, rows: h, cols: 2 * h, stride: w, into: g, schedule: schedule)
            Scalar.sigmoid(g, g, count: 2 * h)
            for j in 0..<h { rh[j] = g[j] * hb[j] }
            let c = g + 2 * h, z = g + h
            Scalar.vectorMatrix(rh, whh + 2 * h, rows: h, cols: h, stride: w, into: c, schedule: schedule)
            Scalar.tanh(c, c, count: h)
            for j in 0..<h { hb[j] = z[j] * hb[j] + (1 - z[j]) * c[j] }
        }
    }

    /// R = σ(x W_xr + h W_hr + b_r), Z = σ(x W_xz + h W_hz + b_z),
    /// H̃ = tanh(x W_xh + (R ⊙ h) W_hh + b_h), h' = Z ⊙ h + (1 − Z) ⊙ H̃.
    public func referenceStep(input x: [Double], state: [[Double]]) -> [[Double]] {
        func gate(_ g: Int, _ h: [Double]) -> [Double] {
            referenceGate(g, x: x, h: h, inputWeight: inputWeight, recurrentWeight: recurrentWeight, bias: bias, recurrentBias: recurrentBias, hidden: hiddenSize)
        }
        let h = state[0]
        let r = Reference.sigmoid(gate(0, h))
        let z = Reference.sigmoid(gate(1, h))
        let rh = (0..<hiddenSize).map { r[$0] * h[$0] }
        let candidate = Reference.tanh(gate(2, rh))
        return [(0..<hiddenSize).map { z[$0] * h[$0] + (1 - z[$0]) * candidate[$0] }]
    }
}
