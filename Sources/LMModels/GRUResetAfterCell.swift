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
    /// A GRU of ``ModelConfig/GRUVariant/pytorch``.
    public typealias Definition = GRUDefinition
    public let inputSize: Int
    public let hiddenSize: Int
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

    /// The window workspace's scratch per sequence, in units of H: each step's recurrent
    /// product H W_hh + b_hh, 3H wide.
    static var scratchWidth: Int { 3 }

    /// A layer named `prefix` (e.g. "gru.0") with zero weights, and a second bias b_hh when
    /// `recurrentBias` is set.
    public init(prefix: String, inputSize: Int, hiddenSize: Int, recurrentBias: Bool = false) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        (inputWeight, recurrentWeight, bias) = makeLayerParameters(prefix: prefix, inputSize: inputSize, hidden: hiddenSize, gates: Definition.gateCount)
        self.recurrentBias = makeRecurrentBias(prefix: prefix, hidden: hiddenSize, gates: Definition.gateCount, present: recurrentBias)
        workspace = CellWorkspace(hidden: hiddenSize, gates: Definition.gateCount, stateCount: Definition.stateCount,
                                  scratchWidth: Self.scratchWidth)
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
            // Each part of the units: their columns of P = H W_hh + b_hh (B × 3H), then their gates and H'.
            RecurrentStep.run(units: h, work: batch * w * h, descending: t & 1 == 1) { u in
                for b in 0..<batch {
                    for block in 0..<3 {
                        let j = block * h + u.lowerBound, row = p + b * w + j
                        if let bhh { row.update(from: bhh + j, count: u.count) } else { row.update(repeating: 0, count: u.count) }
                    }
                }
                Scalar.recurrentUnits(m: batch, k: h, units: u, gates: 3, blockWidth: h, a: hp, lda: h, w: whh, ldw: w,
                                      c: p, ldc: w, descending: t & 1 == 1)
                for b in 0..<batch {
                    let j = b * h + u.lowerBound, o = b * w + u.lowerBound
                    Units(gates: gt + o, recurrent: p + o, hidden: hp + j, newHidden: hn + j, keptCandidate: rec + j, width: h)
                        .run(count: u.count)
                }
            }
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
            // Each part of the units: their dH_t += [dR | dZ | R ⊙ dN]_{t+1} · W_hhᵀ (every unit
            // of step t + 1 is done), then their gate gradients, and dH_{t−1} += dH_t ⊙ Z.
            RecurrentStep.backward(step: t, of: steps, batch: batch, units: h, depth: w, gateWidth: w,
                                   gateGradients: dgt, transposed: whhT, outputGradients: dht) { u in
                for b in 0..<batch {
                    let j = b * h + u.lowerBound, o = b * w + u.lowerBound
                    UnitGradients(gates: gt + o, hidden: hp + j, hiddenGradient: dht + j, candidate: auxt + j, gateGradients: dgt + o,
                                  previousHiddenGradient: t > 0 ? dprev + j : nil, width: h).run(count: u.count)
                }
            }
        }
        let rows = steps * batch
        // W_hh += [H_0 … H_{T−1}]ᵀ · [dR | dZ | R ⊙ dN];  b_hh += its column sums.
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: w, k: rows, alpha: 1,
                    a: s, lda: h, b: dg, ldb: w, beta: 1, c: recurrentWeight.gradient.pointer, ldc: w)
        if let bhh = recurrentBias {
            let db = bhh.gradient.pointer
            WorkerPool.shared.parallelColumns(w, rows: rows) { cols in
                for r in 0..<rows {
                    let gr = dg + r * w
                    for j in cols { db[j] += gr[j] }
                }
            }
        }
        // The input side sees dN_pre: X W_xn + b_n enter N outside the reset gate.
        WorkerPool.shared.parallelRows(rows, width: h) { block in
            for r in block { (dg + r * w + 2 * h).update(from: aux + r * h, count: h) }
        }
        inputBackward(input, rows: rows, inputSize: inputSize, width: w,
                      weight: inputWeight, bias: bias, recurrentBias: nil, gateGradients: dg, inputGradient: inputGradient)
    }
}

// MARK: - One step (generation)

extension GRUResetAfterCell {
    /// Gates, then P = h W_hh + b_hh: batch rows of G·H each.
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
        let bhh = recurrentBias?.value.pointer, rows = state.rows, hs = state.output
        if rows == 1 {
            stepInputProjection(input, sequence: 0, inputSize: inputSize, width: w,
                                weight: inputWeight, bias: bias, recurrentBias: nil, into: g, schedule: schedule)
            if let bhh { p.update(from: bhh, count: w) } else { p.update(repeating: 0, count: w) }
            Scalar.vectorMatrix(hs, whh, rows: h, cols: w, stride: w, into: p, schedule: schedule)
            Units(gates: g, recurrent: p, hidden: hs, newHidden: hs, keptCandidate: nil, width: h).run(count: h)
            return
        }
        stepInputProjections(input, rows: rows, inputSize: inputSize, width: w,
                             weight: inputWeight, bias: bias, recurrentBias: nil, into: g, schedule: schedule)
        for b in 0..<rows {
            if let bhh { (p + b * w).update(from: bhh, count: w) } else { (p + b * w).update(repeating: 0, count: w) }
        }
        Scalar.vectorMatrixRows(count: rows, hs, xStride: h, whh, rows: h, cols: w, stride: w, into: p, yStride: w, schedule: schedule)
        for b in 0..<rows {
            Units(gates: g + b * w, recurrent: p + b * w, hidden: hs + b * h, newHidden: hs + b * h, keptCandidate: nil, width: h)
                .run(count: h)
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
        return [(0..<hidden).map { j in
            Self.units(reset: inputPart(0, j), update: inputPart(1, j), candidate: inputPart(2, j),
                       recurrentReset: recurrentPart(0, j), recurrentUpdate: recurrentPart(1, j),
                       recurrentCandidate: recurrentPart(2, j), hidden: h[j]).hidden
        }]
    }
}

// MARK: - The element-wise math (its one definition)

extension GRUResetAfterCell {
    /// One block of units, from the input parts x W_x· + b_· and the recurrent parts
    /// h W_h· + b_h· of each gate, and H: R = σ(·), Z = σ(·), N = tanh(x part + R ⊙ h part),
    /// H' = (1 − Z) ⊙ N + Z ⊙ H.
    @inline(__always)
    static func units<L: Lanes>(reset: L, update: L, candidate: L, recurrentReset: L, recurrentUpdate: L,
                                recurrentCandidate: L, hidden: L) -> (reset: L, update: L, candidate: L, hidden: L) {
        let r = L.sigmoidActivation(reset + recurrentReset), z = L.sigmoidActivation(update + recurrentUpdate)
        let n = L.tanhActivation(candidate + r * recurrentCandidate)
        return (r, z, n, (L.one - z) * n + z * hidden)
    }

    /// ``units(reset:update:candidate:recurrentReset:recurrentUpdate:recurrentCandidate:hidden:)``
    /// backward, from ∂loss/∂H', R, Z, N, the recurrent part of N and H: the R and Z
    /// pre-activation gradients, R ⊙ dN_pre (the recurrent part's), dN_pre (the input part's)
    /// and the same-step part of ∂loss/∂H, dH' ⊙ Z.
    @inline(__always)
    static func unitGradients<L: Lanes>(hiddenGradient d: L, reset r: L, update z: L, candidate n: L,
                                        recurrentCandidate a: L, hidden: L)
        -> (reset: L, update: L, recurrentCandidate: L, candidate: L, hidden: L) {
        let one = L.one
        let dnPre = d * (one - z) * (one - n * n)
        return (dnPre * a * r * (one - r), d * (hidden - n) * z * (one - z), dnPre * r, dnPre, d * z)
    }

    /// ``units(reset:update:candidate:recurrentReset:recurrentUpdate:recurrentCandidate:hidden:)``
    /// over a row: `gates` (3 × width input parts) become [R | Z | N], `recurrent` holds the
    /// recurrent parts (3 × width), `newHidden` (may be `hidden`) gets H', and `keptCandidate`,
    /// when given, the recurrent part of N (for backward).
    struct Units: LaneKernel {
        let gates: UnsafeMutablePointer<Scalar>, recurrent: UnsafePointer<Scalar>, hidden: UnsafePointer<Scalar>
        let newHidden: UnsafeMutablePointer<Scalar>, keptCandidate: UnsafeMutablePointer<Scalar>?, width: Int

        @inline(__always)
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            let h = width, g = gates + j, p = recurrent + j
            let pn = L.load(p + 2 * h)
            let u = GRUResetAfterCell.units(reset: L.load(g), update: L.load(g + h), candidate: L.load(g + 2 * h),
                                            recurrentReset: L.load(p), recurrentUpdate: L.load(p + h),
                                            recurrentCandidate: pn, hidden: L.load(hidden + j))
            u.reset.store(g); u.update.store(g + h); u.candidate.store(g + 2 * h); u.hidden.store(newHidden + j)
            if let keptCandidate { pn.store(keptCandidate + j) }
        }
    }

    /// ``unitGradients(hiddenGradient:reset:update:candidate:recurrentCandidate:hidden:)`` over
    /// a row: writes [dR_pre | dZ_pre | R ⊙ dN_pre] into `gateGradients`, replaces `candidate`
    /// (the kept recurrent part of N) by dN_pre, and adds dH' ⊙ Z into
    /// `previousHiddenGradient`, when given (not at t = 0).
    struct UnitGradients: LaneKernel {
        let gates: UnsafePointer<Scalar>, hidden: UnsafePointer<Scalar>, hiddenGradient: UnsafePointer<Scalar>
        let candidate: UnsafeMutablePointer<Scalar>, gateGradients: UnsafeMutablePointer<Scalar>
        let previousHiddenGradient: UnsafeMutablePointer<Scalar>?, width: Int

        @inline(__always)
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            let h = width, g = gates + j, dg = gateGradients + j
            let d = GRUResetAfterCell.unitGradients(hiddenGradient: L.load(hiddenGradient + j), reset: L.load(g),
                                                    update: L.load(g + h), candidate: L.load(g + 2 * h),
                                                    recurrentCandidate: L.load(candidate + j), hidden: L.load(hidden + j))
            d.reset.store(dg); d.update.store(dg + h); d.recurrentCandidate.store(dg + 2 * h); d.candidate.store(candidate + j)
            if let out = previousHiddenGradient { (L.load(out + j) + d.hidden).store(out + j) }
        }
    }
}
