import LMSettings
import LMTensor

/// Gated recurrent unit layer (d2l 9.7), gate blocks [R | Z | H̃]:
/// R = σ(X W_xr + H W_hr + b_r), Z = σ(X W_xz + H W_hz + b_z),
/// H̃ = tanh(X W_xh + (R ⊙ H) W_hh + b_h), H' = Z ⊙ H + (1 − Z) ⊙ H̃.
///
/// Parameters are gate-concatenated: `W_xh` inputSize × 3H, `W_hh` H × 3H, `b_h` 1 × 3H,
/// columns [0, H) for R, [H, 2H) for Z, [2H, 3H) for H̃. Per step: one B×H×2H product
/// (R, Z), one B×H×H product (candidate), element-wise work; backward likewise.
public final class GRUCell<Scalar: TensorScalar>: RecurrentCell {
    public typealias Definition = GRUDefinition
    public let inputSize: Int
    public let hiddenSize: Int
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
        (inputWeight, recurrentWeight, bias) = makeLayerParameters(prefix: prefix, inputSize: inputSize, hidden: hiddenSize, gates: Definition.gateCount)
        self.recurrentBias = makeRecurrentBias(prefix: prefix, hidden: hiddenSize, gates: Definition.gateCount, present: recurrentBias)
        workspace = CellWorkspace(hidden: hiddenSize, gates: Definition.gateCount, stateCount: Definition.stateCount)
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
            let gt = g + t * batch * w, hp = s + t * bh, hn = s + (t + 1) * bh, rh = rhAll + t * bh, odd = t & 1 == 1
            // Each part of the units: their [R | Z] pre-activations += H W_h[r|z], then R, Z, R ⊙ H.
            RecurrentStep.run(units: h, work: batch * 2 * h * h, descending: odd) { u in
                Scalar.recurrentUnits(m: batch, k: h, units: u, gates: 2, blockWidth: h, a: hp, lda: h, w: whh, ldw: w,
                                      c: gt, ldc: w, descending: odd)
                for b in 0..<batch {
                    GateUnits(gates: gt + b * w + u.lowerBound, hidden: hp + b * h + u.lowerBound, resetHidden: rh + b * h + u.lowerBound,
                              width: h).run(count: u.count)
                }
            }
            // Then (every unit's R ⊙ H is done) their H̃ pre-activation += (R ⊙ H) W_hh, then H̃ and H'.
            RecurrentStep.run(units: h, work: batch * h * h, descending: odd) { u in
                Scalar.recurrentColumns(m: batch, k: h, columns: u, a: rh, lda: h, w: whh + 2 * h, ldw: w, c: gt + 2 * h, ldc: w,
                                        descending: odd)
                for b in 0..<batch {
                    StateUnits(gates: gt + b * w + u.lowerBound, hidden: hp + b * h + u.lowerBound, newHidden: hn + b * h + u.lowerBound,
                               width: h).run(count: u.count)
                }
            }
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
            let dprev = dht - bh, even = t & 1 == 0
            // Each part of the units: their dH_t += [dR | dZ]_{t+1} · W_h[r|z]ᵀ (every unit of
            // step t + 1 is done), then their Z and candidate pre-activation gradients.
            RecurrentStep.backward(step: t, of: steps, batch: batch, units: h, depth: 2 * h, gateWidth: w,
                                   gateGradients: dgt, transposed: whhT, outputGradients: dht) { u in
                for b in 0..<batch {
                    let j = b * h + u.lowerBound
                    StateUnitGradients(gates: gt + b * w + u.lowerBound, hidden: hp + j, hiddenGradient: dht + j,
                                       gateGradients: dgt + b * w + u.lowerBound, width: h).run(count: u.count)
                }
            }
            // Then their ∂(R ⊙ H) = dH̃_pre · W_hhᵀ (every unit's dH̃_pre is done), dR_pre, and
            // dH_{t−1} += dH ⊙ Z + ∂(R ⊙ H) ⊙ R (the next iteration adds [dR | dZ] · W_h[r|z]ᵀ).
            RecurrentStep.run(units: h, work: batch * h * h, descending: even) { u in
                for b in 0..<batch { (drh + b * h + u.lowerBound).update(repeating: 0, count: u.count) }
                Scalar.recurrentColumns(m: batch, k: h, columns: u, a: dgt + 2 * h, lda: w, w: whhT + 2 * h * h, ldw: h,
                                        c: drh, ldc: h, descending: even)
                for b in 0..<batch {
                    let j = b * h + u.lowerBound
                    GateUnitGradients(gates: gt + b * w + u.lowerBound, hidden: hp + j, hiddenGradient: dht + j, resetHiddenGradient: drh + j,
                                      gateGradients: dgt + b * w + u.lowerBound, previousHiddenGradient: t > 0 ? dprev + j : nil,
                                      width: h).run(count: u.count)
                }
            }
        }
        let rows = steps * batch, dwhh = recurrentWeight.gradient.pointer
        // W_h[r|z] += [H_0 … H_{T−1}]ᵀ · [dR | dZ];  W_hh(h̃) += [R ⊙ H]ᵀ · dH̃_pre.
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: 2 * h, k: rows, alpha: 1,
                    a: s, lda: h, b: dg, ldb: w, beta: 1, c: dwhh, ldc: w)
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: h, k: rows, alpha: 1,
                    a: rhAll, lda: h, b: dg + 2 * h, ldb: w, beta: 1, c: dwhh + 2 * h, ldc: w)
        inputBackward(input, rows: rows, inputSize: inputSize, width: w,
                      weight: inputWeight, bias: bias, recurrentBias: recurrentBias, gateGradients: dg, inputGradient: inputGradient)
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
        let g = state.gates.pointer, rh = state.scratch.pointer, whh = recurrentWeight.value.pointer, rows = state.rows
        let hs = state.output
        if rows == 1 {
            stepInputProjection(input, sequence: 0, inputSize: inputSize, width: w,
                                weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g, schedule: schedule)
            Scalar.vectorMatrix(hs, whh, rows: h, cols: 2 * h, stride: w, into: g, schedule: schedule)
            GateUnits(gates: g, hidden: hs, resetHidden: rh, width: h).run(count: h)
            Scalar.vectorMatrix(rh, whh + 2 * h, rows: h, cols: h, stride: w, into: g + 2 * h, schedule: schedule)
            StateUnits(gates: g, hidden: hs, newHidden: hs, width: h).run(count: h)
            return
        }
        stepInputProjections(input, rows: rows, inputSize: inputSize, width: w,
                             weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g, schedule: schedule)
        Scalar.vectorMatrixRows(count: rows, hs, xStride: h, whh, rows: h, cols: 2 * h, stride: w, into: g, yStride: w, schedule: schedule)
        for b in 0..<rows { GateUnits(gates: g + b * w, hidden: hs + b * h, resetHidden: rh + b * h, width: h).run(count: h) }
        Scalar.vectorMatrixRows(count: rows, rh, xStride: h, whh + 2 * h, rows: h, cols: h, stride: w,
                                into: g + 2 * h, yStride: w, schedule: schedule)
        for b in 0..<rows { StateUnits(gates: g + b * w, hidden: hs + b * h, newHidden: hs + b * h, width: h).run(count: h) }
    }

    /// R = σ(x W_xr + h W_hr + b_r), Z = σ(x W_xz + h W_hz + b_z),
    /// H̃ = tanh(x W_xh + (R ⊙ h) W_hh + b_h), h' = Z ⊙ h + (1 − Z) ⊙ H̃.
    public func referenceStep(input x: [Double], state: [[Double]]) -> [[Double]] {
        func gate(_ g: Int, _ h: [Double]) -> [Double] {
            referenceGate(g, x: x, h: h, inputWeight: inputWeight, recurrentWeight: recurrentWeight, bias: bias, recurrentBias: recurrentBias, hidden: hiddenSize)
        }
        let h = state[0], r = gate(0, h), z = gate(1, h)
        let gates = (0..<hiddenSize).map { Self.gates(reset: r[$0], update: z[$0], hidden: h[$0]) }
        let candidate = gate(2, gates.map(\.resetHidden))
        return [(0..<hiddenSize).map { Self.state(update: gates[$0].update, candidate: candidate[$0], hidden: h[$0]).hidden }]
    }
}

// MARK: - The element-wise math (its one definition)

extension GRUCell {
    /// One block of units, from the R and Z pre-activations and H: R = σ(·), Z = σ(·), R ⊙ H.
    @inline(__always)
    static func gates<L: Lanes>(reset: L, update: L, hidden: L) -> (reset: L, update: L, resetHidden: L) {
        let r = L.sigmoidActivation(reset)
        return (r, L.sigmoidActivation(update), r * hidden)
    }

    /// One block of units, from Z, the H̃ pre-activation and H: H̃ = tanh(·), H' = Z ⊙ H + (1 − Z) ⊙ H̃.
    @inline(__always)
    static func state<L: Lanes>(update z: L, candidate: L, hidden: L) -> (candidate: L, hidden: L) {
        let c = L.tanhActivation(candidate)
        return (c, z * hidden + (L.one - z) * c)
    }

    /// ``state(update:candidate:hidden:)`` backward: the Z and H̃ pre-activation gradients
    /// from ∂loss/∂H', Z, H̃ and H.
    @inline(__always)
    static func stateGradients<L: Lanes>(hiddenGradient d: L, update z: L, candidate c: L, hidden: L) -> (update: L, candidate: L) {
        let one = L.one
        return (d * (hidden - c) * z * (one - z), d * (one - z) * (one - c * c))
    }

    /// ``gates(reset:update:hidden:)`` backward: the R pre-activation gradient from ∂(R ⊙ H),
    /// and the same-step part of ∂loss/∂H, dH' ⊙ Z + ∂(R ⊙ H) ⊙ R.
    @inline(__always)
    static func gateGradients<L: Lanes>(resetHiddenGradient d: L, hiddenGradient dh: L, reset r: L, update z: L, hidden: L)
        -> (reset: L, hidden: L) {
        (d * hidden * r * (L.one - r), dh * z + d * r)
    }

    /// ``gates(reset:update:hidden:)`` over a row: `gates` [R | Z] (2 × width) become the
    /// activations; `resetHidden` gets R ⊙ `hidden`.
    struct GateUnits: LaneKernel {
        let gates: UnsafeMutablePointer<Scalar>, hidden: UnsafePointer<Scalar>, resetHidden: UnsafeMutablePointer<Scalar>, width: Int

        @inline(__always)
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            let g = gates + j
            let u = GRUCell.gates(reset: L.load(g), update: L.load(g + width), hidden: L.load(hidden + j))
            u.reset.store(g); u.update.store(g + width); u.resetHidden.store(resetHidden + j)
        }
    }

    /// ``state(update:candidate:hidden:)`` over a row of `gates` [R | Z | H̃]: H̃ becomes its
    /// activation, `newHidden` (may be `hidden`) gets H'.
    struct StateUnits: LaneKernel {
        let gates: UnsafeMutablePointer<Scalar>, hidden: UnsafePointer<Scalar>, newHidden: UnsafeMutablePointer<Scalar>, width: Int

        @inline(__always)
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            let c = gates + 2 * width + j
            let u = GRUCell.state(update: L.load(gates + width + j), candidate: L.load(c), hidden: L.load(hidden + j))
            u.candidate.store(c); u.hidden.store(newHidden + j)
        }
    }

    /// ``stateGradients(hiddenGradient:update:candidate:hidden:)`` over a row: writes the Z and
    /// H̃ blocks of `gateGradients`.
    struct StateUnitGradients: LaneKernel {
        let gates: UnsafePointer<Scalar>, hidden: UnsafePointer<Scalar>, hiddenGradient: UnsafePointer<Scalar>
        let gateGradients: UnsafeMutablePointer<Scalar>, width: Int

        @inline(__always)
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            let h = width
            let d = GRUCell.stateGradients(hiddenGradient: L.load(hiddenGradient + j), update: L.load(gates + h + j),
                                           candidate: L.load(gates + 2 * h + j), hidden: L.load(hidden + j))
            d.update.store(gateGradients + h + j); d.candidate.store(gateGradients + 2 * h + j)
        }
    }

    /// ``gateGradients(resetHiddenGradient:hiddenGradient:reset:update:hidden:)`` over a row:
    /// writes the R block of `gateGradients` and adds the same-step part of ∂loss/∂H into
    /// `previousHiddenGradient`, when given (not at t = 0).
    struct GateUnitGradients: LaneKernel {
        let gates: UnsafePointer<Scalar>, hidden: UnsafePointer<Scalar>, hiddenGradient: UnsafePointer<Scalar>
        let resetHiddenGradient: UnsafePointer<Scalar>, gateGradients: UnsafeMutablePointer<Scalar>
        let previousHiddenGradient: UnsafeMutablePointer<Scalar>?, width: Int

        @inline(__always)
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            let d = GRUCell.gateGradients(resetHiddenGradient: L.load(resetHiddenGradient + j), hiddenGradient: L.load(hiddenGradient + j),
                                          reset: L.load(gates + j), update: L.load(gates + width + j), hidden: L.load(hidden + j))
            d.reset.store(gateGradients + j)
            if let out = previousHiddenGradient { (L.load(out + j) + d.hidden).store(out + j) }
        }
    }
}

/// The `gru` kind: three gate blocks [R | Z | H̃], the state h, in two variants
/// (``ModelConfig/gruVariant``): d2l's ``GRUCell`` and PyTorch's ``GRUResetAfterCell``, whose
/// blocks are `nn.GRU`'s in the same order (d2l's variant has no PyTorch equivalent; the
/// conversion refuses it).
public enum GRUDefinition: CellDefinition {
    public static let kind = ModelConfig.Kind.gru
    public static let gateCount = 3
    public static let stateCount = 1
    public static let pyTorch: PyTorchCell? = PyTorchCell(modules: [.tanh: "GRU"], blockOrder: [0, 1, 2])

    public static func scratchWidth(for architecture: some RecurrentArchitecture) -> Int {
        architecture.gruVariant == .pytorch ? GRUResetAfterCell<Float>.scratchWidth : 1
    }

    public static func makeLayer<Scalar: TensorScalar>(prefix: String, inputSize: Int, hiddenSize: Int,
                                                       architecture: some RecurrentArchitecture) -> any RecurrentCell<Scalar> {
        switch architecture.gruVariant {
        case .d2l: GRUCell<Scalar>(prefix: prefix, inputSize: inputSize, hiddenSize: hiddenSize,
                                   recurrentBias: architecture.recurrentBias)
        case .pytorch: GRUResetAfterCell<Scalar>(prefix: prefix, inputSize: inputSize, hiddenSize: hiddenSize,
                                                 recurrentBias: architecture.recurrentBias)
        }
    }
}
