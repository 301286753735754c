import LMSettings
import LMTensor

/// Elman RNN layer (d2l 9.5): H_t = φ(X_t W_xh + H_{t−1} W_hh + b_h), φ = tanh or relu.
///
/// Per step the only sequential work is one B×H×H product and the activation; the input
/// projection, and the W_xh, W_hh, b_h gradients of a window, are single large products.
public final class RNNCell<Scalar: TensorScalar>: RecurrentCell {
    public typealias Definition = RNNDefinition
    public let inputSize: Int
    public let hiddenSize: Int
    /// The nonlinearity φ.
    public let activation: ModelConfig.Activation
    /// Input weights, inputSize × H.
    public let inputWeight: Parameter<Scalar>
    /// Recurrent weights, H × H.
    public let recurrentWeight: Parameter<Scalar>
    /// Bias, 1 × H.
    public let bias: Parameter<Scalar>
    /// The second bias b_hh (1 × G·H, PyTorch's), or nil: the gates use b_h + b_hh.
    public let recurrentBias: Parameter<Scalar>?
    public var parameters: [Parameter<Scalar>] { [inputWeight, recurrentWeight, bias] + (recurrentBias.map { [$0] } ?? []) }
    public let workspace: CellWorkspace<Scalar>

    /// A layer named `prefix` (e.g. "rnn.0") with zero weights, and a second bias b_hh when
    /// `recurrentBias` is set.
    public init(prefix: String, inputSize: Int, hiddenSize: Int, activation: ModelConfig.Activation, recurrentBias: Bool = false) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.activation = activation
        (inputWeight, recurrentWeight, bias) = makeLayerParameters(prefix: prefix, inputSize: inputSize, hidden: hiddenSize, gates: Definition.gateCount)
        self.recurrentBias = makeRecurrentBias(prefix: prefix, hidden: hiddenSize, gates: Definition.gateCount, present: recurrentBias)
        workspace = CellWorkspace(hidden: hiddenSize, gates: Definition.gateCount, stateCount: Definition.stateCount)
    }

    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(input: CellInput<Scalar>, steps: Int, batch: Int) {
        let ws = workspace
        ws.prepare(steps: steps, batch: batch)
        let h = hiddenSize, bh = batch * h
        let g = ws.gateValues.pointer, s = ws.states.pointer, whh = ws.recurrentWeights(recurrentWeight)
        inputProjection(input, rows: steps * batch, inputSize: inputSize, width: h,
                        weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g)
        s.update(from: ws.carried[0].pointer, count: bh)
        for t in 0..<steps {
            let gt = g + t * bh, hp = s + t * bh, out = s + (t + 1) * bh, act = activation
            // Each part of the units: their columns of gt += H_{t−1} W_hh, then their H_t = φ(gt).
            RecurrentStep.run(units: h, work: batch * h * h, descending: t & 1 == 1) { u in
                Scalar.recurrentColumns(m: batch, k: h, columns: u, a: hp, lda: h, w: whh, ldw: h, c: gt, ldc: h, descending: t & 1 == 1)
                for b in 0..<batch {
                    let j = b * h + u.lowerBound
                    Units(preActivations: gt + j, outputs: out + j, activation: act).run(count: u.count)
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
            let dgt = dg + t * bh, dht = dh + t * bh, ht = s + (t + 1) * bh, act = activation
            // Each part of the units: their dH_t += dG_{t+1} W_hhᵀ (the gradient into the
            // carried-in state is never formed), then dG_t = dH_t ⊙ φ'(H_t), φ' read from the output.
            RecurrentStep.backward(step: t, of: steps, batch: batch, units: h, depth: h, gateWidth: h,
                                   gateGradients: dgt, transposed: whhT, outputGradients: dht) { u in
                for b in 0..<batch {
                    let j = b * h + u.lowerBound
                    UnitGradients(outputGradients: dht + j, outputs: ht + j, preActivationGradients: dgt + j, activation: act)
                        .run(count: u.count)
                }
            }
        }
        // W_hh += [H_0 … H_{T−1}]ᵀ · [dG_1 … dG_T]: one product over the window.
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: h, k: steps * batch, alpha: 1,
                    a: s, lda: h, b: dg, ldb: h, beta: 1, c: recurrentWeight.gradient.pointer, ldc: h)
        inputBackward(input, rows: steps * batch, inputSize: inputSize, width: h,
                      weight: inputWeight, bias: bias, recurrentBias: recurrentBias, gateGradients: dg, inputGradient: inputGradient)
    }
}

// MARK: - One step (generation)

extension RNNCell {
    /// h' = φ(x W_xh + b_h + h W_hh) for each sequence (see ``RecurrentCell/step(input:state:schedule:)``).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func step(input: CellInput<Scalar>, state: CellStepState<Scalar>, schedule: VectorMatrix.Schedule) {
        let h = hiddenSize, g = state.gates.pointer, whh = recurrentWeight.value.pointer, rows = state.rows
        state.holdsNextProduct = false
        if rows == 1 {
            stepInputProjection(input, sequence: 0, inputSize: inputSize, width: h,
                                weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g, schedule: schedule)
            Scalar.vectorMatrix(state.output, whh, rows: h, cols: h, stride: h, into: g, schedule: schedule)
            activate(g, into: state.output)
            return
        }
        stepInputProjections(input, rows: rows, inputSize: inputSize, width: h,
                             weight: inputWeight, bias: bias, recurrentBias: recurrentBias, into: g, schedule: schedule)
        Scalar.vectorMatrixRows(count: rows, state.output, xStride: h, whh, rows: h, cols: h, stride: h,
                                into: g, yStride: h, schedule: schedule)
        for b in 0..<rows { activate(g + b * h, into: state.output + b * h) }
    }

    /// The step of one sequence reordered so that it needs one parallel pass: h' = φ(W_xh[id]
    /// + b_h + P) with P = h W_hh from the previous step, then one pass runs `work` (the
    /// output head on h') on the calling thread while the worker starts its half of the next
    /// step's P = h' W_hh. The same operations in the same order as
    /// ``step(input:state:schedule:)``, (W_xh[id] + b_h) + (0 + Σ fma chain), so the state
    /// has the same bits either way, split or not.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func overlappedStep(token: Int32, state: CellStepState<Scalar>, schedule: VectorMatrix.Schedule,
                               alongside work: () -> Void) -> Bool {
        guard state.rows == 1 else { return false }
        let h = hiddenSize, g = state.gates.pointer, p = state.scratch.pointer, hs = state.output
        let whh = UnsafePointer(recurrentWeight.value.pointer), x = UnsafePointer(hs)
        if !state.holdsNextProduct {
            p.update(repeating: 0, count: h)
            Scalar.vectorMatrix(x, whh, rows: h, cols: h, stride: h, into: p, schedule: schedule.serial)
        }
        let row = inputWeight.value.pointer + Int(token) * h, bh = bias.value.pointer
        if let bhh = recurrentBias?.value.pointer {
            for j in 0..<h { g[j] = (row[j] + bh[j] + bhh[j]) + p[j] }
        } else {
            for j in 0..<h { g[j] = (row[j] + bh[j]) + p[j] }
        }
        activate(g, into: hs)
        p.update(repeating: 0, count: h)
        state.holdsNextProduct = true
        guard schedule.split, VectorMatrix.isWorthSplitting(rows: h, cols: h) else {
            work()
            Scalar.vectorMatrix(x, whh, rows: h, cols: h, stride: h, into: p, schedule: schedule.serial)
            return true
        }
        // Part 0 (the work) and part 1 are claimed first by the calling thread, part 2 by the
        // worker (it claims from the back), so each keeps its half of W_hh in its own cache.
        let half = h / 16 / 2 * 16
        WorkerPool.shared.run(parts: 3) { part in
            switch part {
            case 0: work()
            case 1: Scalar.vectorMatrix(x, whh, rows: h, cols: half, stride: h, into: p, schedule: schedule.serial)
            default: Scalar.vectorMatrix(x, whh + half, rows: h, cols: h - half, stride: h, into: p + half, schedule: schedule.serial)
            }
        }
        return true
    }

    /// y = φ(x), H values.
    @inline(__always)
    private func activate(_ x: UnsafePointer<Scalar>, into y: UnsafeMutablePointer<Scalar>) {
        Units(preActivations: x, outputs: y, activation: activation).run(count: hiddenSize)
    }

    /// h' = φ(x W_xh + h W_hh + b_h).
    public func referenceStep(input x: [Double], state: [[Double]]) -> [[Double]] {
        let a = referenceGate(0, x: x, h: state[0], inputWeight: inputWeight, recurrentWeight: recurrentWeight,
                              bias: bias, recurrentBias: recurrentBias, hidden: hiddenSize)
        return [a.map { Self.output($0, activation: activation) }]
    }
}

// MARK: - The element-wise math (its one definition)

extension RNNCell {
    /// H' = φ(pre-activation) for a block of units.
    @inline(__always)
    static func output<L: Lanes>(_ preActivation: L, activation: ModelConfig.Activation) -> L {
        switch activation {
        case .tanh: return L.tanhActivation(preActivation)
        case .relu: return L.reluActivation(preActivation)
        }
    }

    /// ``output(_:activation:)`` backward: dG = dH' ⊙ φ'(pre-activation), φ' read from the output H'.
    @inline(__always)
    static func preActivationGradient<L: Lanes>(_ d: L, output y: L, activation: ModelConfig.Activation) -> L {
        switch activation {
        case .tanh: return d * (L.one - y * y)
        case .relu: return L.reluGradient(d, output: y)
        }
    }

    /// ``output(_:activation:)`` over a row of units (`outputs` may be `preActivations`).
    struct Units: LaneKernel {
        let preActivations: UnsafePointer<Scalar>, outputs: UnsafeMutablePointer<Scalar>
        let activation: ModelConfig.Activation

        @inline(__always)
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            RNNCell.output(L.load(preActivations + j), activation: activation).store(outputs + j)
        }
    }

    /// ``preActivationGradient(_:output:activation:)`` over a row of units.
    struct UnitGradients: LaneKernel {
        let outputGradients: UnsafePointer<Scalar>, outputs: UnsafePointer<Scalar>
        let preActivationGradients: UnsafeMutablePointer<Scalar>, activation: ModelConfig.Activation

        @inline(__always)
        func callAsFunction<L: Lanes>(_: L.Type, at j: Int) where L.Element == Scalar {
            RNNCell.preActivationGradient(L.load(outputGradients + j), output: L.load(outputs + j), activation: activation)
                .store(preActivationGradients + j)
        }
    }
}

/// The `rnn` kind (``RNNCell``): one gate block, the state h; PyTorch's `nn.RNN` with either
/// nonlinearity.
public enum RNNDefinition: CellDefinition {
    public static let kind = ModelConfig.Kind.rnn
    public static let gateCount = 1
    public static let stateCount = 1
    public static let pyTorch: PyTorchCell? = PyTorchCell(modules: [.tanh: "RNN_TANH", .relu: "RNN_RELU"], blockOrder: [0])

    public static func makeLayer<Scalar: TensorScalar>(prefix: String, inputSize: Int, hiddenSize: Int,
                                                       architecture: some RecurrentArchitecture) -> any RecurrentCell<Scalar> {
        RNNCell<Scalar>(prefix: prefix, inputSize: inputSize, hiddenSize: hiddenSize,
                        activation: architecture.activation, recurrentBias: architecture.recurrentBias)
    }
}
