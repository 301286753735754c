import LMTensor

/// The architecture of a ``SequenceModel``: dense real-valued input per step, stacked
/// recurrent layers, and a dense head with a regression or a logistic loss.
public struct SequenceModelConfig: Codable, Equatable, Sendable {
    /// What the head reads and which loss it minimises.
    public enum Head: String, Codable, Sendable, CaseIterable {
        /// One linear output per sequence, read from the last step's hidden state, with the
        /// mean squared error `mean((ŷ − y)²)` over the batch and outputs (the adding problem).
        case regression
        /// A linear output at every step through the logistic sigmoid, with the mean binary
        /// cross-entropy over steps, batch and outputs (binary addition, bit by bit).
        case logistic
    }

    /// Cell type (RNN, GRU or LSTM).
    public var kind: ModelConfig.Kind
    /// RNN nonlinearity (must be `.tanh` for GRU and LSTM).
    public var activation: ModelConfig.Activation
    /// Features per step F (2 for the adding problem and binary addition).
    public var inputSize: Int
    /// Hidden units per layer.
    public var hiddenSize: Int
    /// Stacked recurrent layers (≥ 1).
    public var layers: Int
    /// Outputs per prediction O (1 for both toy tasks).
    public var outputSize: Int
    /// The head and its loss.
    public var head: Head
    /// Weight initialisation (the tutorials use Xavier/Glorot uniform).
    public var initialization: ModelConfig.Initialization

    /// A configuration; call ``validate()`` (the model's initialiser does).
    public init(kind: ModelConfig.Kind, activation: ModelConfig.Activation = .tanh, inputSize: Int, hiddenSize: Int,
                layers: Int = 1, outputSize: Int = 1, head: Head, initialization: ModelConfig.Initialization = .xavierUniform) {
        self.kind = kind
        self.activation = activation
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.outputSize = outputSize
        self.head = head
        self.initialization = initialization
    }

    /// Throws ``ModelError/invalidConfiguration(_:)`` naming the offending field.
    public func validate() throws {
        if inputSize < 1 { throw ModelError.invalidConfiguration("inputSize is \(inputSize); it must be ≥ 1 feature per step") }
        if outputSize < 1 { throw ModelError.invalidConfiguration("outputSize is \(outputSize); it must be ≥ 1") }
        // The recurrent part is checked exactly as a language model's.
        try ModelConfig(kind: kind, activation: activation, vocabularySize: 1, hiddenSize: hiddenSize,
                        layers: layers, initialization: initialization).validate()
    }
}

/// A recurrent network over sequences of real-valued feature vectors: dense input of width F
/// → L stacked RNN/GRU/LSTM layers (the same cells, with the same hand-written BPTT, as
/// ``RecurrentLM``) → a dense head (``SequenceModelConfig/Head``).
///
/// Every window is a batch of independent sequences: each forward starts from a zero state
/// (nothing is carried between calls).
///
/// Data layout, t-major as ``RecurrentLM``: `inputs[(t·batch + b)·F + f]` is feature f of
/// sequence b at step t. Targets are `batch × O` (regression: one value per sequence and
/// output) or `steps·batch × O` t-major (logistic: one 0/1 label per step).
///
/// Typical step: `zeroGradients()`, `forward(inputs:targets:steps:batch:)`, `backward()`,
/// clip ``gradientBuffers``, update ``parameters``. Generic over the scalar so the training
/// code is gradient-checked in `Double`.
public final class SequenceModel<Scalar: TensorScalar> {
    /// The architecture this model was built from.
    public let config: SequenceModelConfig
    /// The recurrent layers, bottom first.
    public let cells: [any RecurrentCell<Scalar>]
    /// `head.W_hy`, H × O.
    public let headWeight: Parameter<Scalar>
    /// `head.b_y`, 1 × O.
    public let headBias: Parameter<Scalar>
    /// Every parameter: per layer l `<kind>.<l>.W_xh`, `<kind>.<l>.W_hh`, `<kind>.<l>.b_h`,
    /// then `head.W_hy`, `head.b_y`.
    public let parameters: [Parameter<Scalar>]

    private var steps = 0, batch = 0
    private var hasTargets = false
    private var inputBuffer = Buffer<Scalar>(count: 0)
    /// Head pre-activations (regression: the predictions), B × O or T·B × O.
    private var logits = Buffer<Scalar>(count: 0)
    /// Logistic head: σ(logits); regression: unused.
    private var probabilities = Buffer<Scalar>(count: 0)
    /// ∂loss/∂logits, same shape as `logits`.
    private var logitGradients = Buffer<Scalar>(count: 0)

    /// Builds a model and initialises its parameters from `config.initialization`.
    /// - Throws: ``ModelError/invalidConfiguration(_:)``.
    public init(config: SequenceModelConfig, using generator: inout some RandomNumberGenerator) throws {
        try config.validate()
        self.config = config
        let cells: [any RecurrentCell<Scalar>] = RecurrentStack.cells(
            kind: config.kind, activation: config.activation, inputSize: config.inputSize,
            hiddenSize: config.hiddenSize, layers: config.layers)
        self.cells = cells
        headWeight = Parameter(name: "head.W_hy", rows: config.hiddenSize, cols: config.outputSize)
        headBias = Parameter(name: "head.b_y", rows: 1, cols: config.outputSize, vector: true)
        parameters = cells.flatMap { $0.parameters } + [headWeight, headBias]
        for c in cells {
            for p in c.parameters {
                Initializer.initialize(p, scheme: config.initialization, gateWidth: config.hiddenSize, using: &generator)
            }
        }
        for p in [headWeight, headBias] {
            Initializer.initialize(p, scheme: config.initialization, gateWidth: p.cols, using: &generator)
        }
    }

    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Every gradient buffer, in ``parameters`` order (for clipping).
    public var gradientBuffers: [UnsafeMutableBufferPointer<Scalar>] { parameters.map { $0.gradient.buffer } }

    /// Sets every gradient to zero.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// Rows the head produces for a window: `batch` (regression) or `steps·batch` (logistic).
    public func predictionRows(steps: Int, batch: Int) -> Int {
        config.head == .regression ? batch : steps * batch
    }

    /// Runs a batch of sequences forward from a zero state and returns the mean loss (MSE
    /// for regression, binary cross-entropy in nats for logistic). Keeps what
    /// ``backward()`` needs.
    ///
    /// - Parameters:
    ///   - inputs: `steps·batch × F` values, t-major.
    ///   - targets: `batch × O` (regression) or `steps·batch × O` t-major 0/1 labels (logistic).
    /// - Throws: ``ModelError/shapeMismatch(_:)``.
    @discardableResult
    public func forward(inputs: [Scalar], targets: [Scalar], steps: Int, batch: Int) throws -> Double {
        let rows = predictionRows(steps: max(steps, 0), batch: max(batch, 0))
        guard targets.count == rows * config.outputSize else {
            throw ModelError.shapeMismatch("\(targets.count) targets for \(rows) predictions of \(config.outputSize) outputs "
                + (config.head == .regression ? "(regression: one row per sequence)" : "(logistic: one row per step and sequence)"))
        }
        try forward(inputs: inputs, steps: steps, batch: batch)
        hasTargets = true
        let n = rows * config.outputSize
        let z = logits.pointer, dz = logitGradients.pointer
        var total = 0.0
        switch config.head {
        case .regression:
            let scale = 2 / Scalar(n)
            for i in 0..<n {
                let d = z[i] - targets[i]
                total += Double(d * d)
                dz[i] = scale * d
            }
        case .logistic:
            let p = probabilities.pointer, scale = 1 / Scalar(n)
            for i in 0..<n {
                // −[y log σ(z) + (1 − y) log(1 − σ(z))] = max(z, 0) − y·z + log(1 + e^{−|z|}).
                let zi = z[i], y = targets[i]
                total += Double(max(zi, 0) - y * zi + Scalar.log(1 + Scalar.exp(-abs(zi))))
                dz[i] = scale * (p[i] - y)
            }
        }
        return total / Double(n)
    }

    /// Runs a batch of sequences forward from a zero state without a loss; the results are
    /// then in ``predictions``. ``backward()`` is not possible after this call.
    /// - Throws: ``ModelError/shapeMismatch(_:)``.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(inputs: [Scalar], steps: Int, batch: Int) throws {
        guard steps > 0, batch > 0 else {
            throw ModelError.shapeMismatch("window of \(steps) steps × \(batch) batch; both must be ≥ 1")
        }
        let f = config.inputSize, o = config.outputSize, h = config.hiddenSize
        guard inputs.count == steps * batch * f else {
            throw ModelError.shapeMismatch("\(inputs.count) input values for \(steps) steps × \(batch) sequences × \(f) features (\(steps * batch * f) expected)")
        }
        let rows = predictionRows(steps: steps, batch: batch)
        if steps != self.steps || batch != self.batch {
            inputBuffer = Buffer(count: steps * batch * f)
            logits = Buffer(count: rows * o)
            probabilities = Buffer(count: config.head == .logistic ? rows * o : 0)
            logitGradients = Buffer(count: rows * o)
            self.steps = steps
            self.batch = batch
        }
        hasTargets = false
        try inputBuffer.assign(inputs)
        var input = CellInput<Scalar>.dense(UnsafePointer(inputBuffer.pointer))
        for c in cells {
            for s in c.workspace.carried { s.zero() }   // independent sequences: start from zero
            c.forward(input: input, steps: steps, batch: batch)
            input = .dense(UnsafePointer(c.workspace.outputs))
        }
        let z = logits.pointer, b = headBias.value.pointer
        for r in 0..<rows { (z + r * o).update(from: b, count: o) }
        Scalar.gemm(transposeA: false, transposeB: false, m: rows, n: o, k: h, alpha: 1,
                    a: headInput, lda: h, b: headWeight.value.pointer, ldb: o, beta: 1, c: z, ldc: o)
        if config.head == .logistic { Scalar.sigmoid(z, probabilities.pointer, count: rows * o) }
    }

    /// The hidden rows the head reads: the top layer's last step (regression) or every step.
    private var headInput: UnsafeMutablePointer<Scalar> {
        let top = cells[cells.count - 1].workspace.outputs
        return config.head == .regression ? top + (steps - 1) * batch * config.hiddenSize : top
    }

    /// Backpropagates the last forward's loss through the head and through time, and *adds*
    /// ∂loss/∂θ to every parameter's gradient (call ``zeroGradients()`` between updates).
    /// - Throws: ``ModelError/backwardWithoutForward`` unless the last forward had targets.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward() throws {
        guard hasTargets, steps > 0 else { throw ModelError.backwardWithoutForward }
        let h = config.hiddenSize, o = config.outputSize, rows = predictionRows(steps: steps, batch: batch)
        let dz = logitGradients.pointer, db = headBias.gradient.pointer
        for r in 0..<rows {
            let g = dz + r * o
            for j in 0..<o { db[j] += g[j] }
        }
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: o, k: rows, alpha: 1,
                    a: headInput, lda: h, b: dz, ldb: o, beta: 1, c: headWeight.gradient.pointer, ldc: o)
        // ∂loss/∂(top outputs): only the last step for regression, every step for logistic.
        let top = cells[cells.count - 1].workspace
        var dh = top.outputGradients
        if config.head == .regression {
            dh.update(repeating: 0, count: (steps - 1) * batch * h)
            dh += (steps - 1) * batch * h
        }
        Scalar.gemm(transposeA: false, transposeB: true, m: rows, n: h, k: o, alpha: 1,
                    a: dz, lda: o, b: headWeight.value.pointer, ldb: o, beta: 0, c: dh, ldc: h)
        for l in stride(from: cells.count - 1, through: 0, by: -1) {
            if l > 0 {
                let below = cells[l - 1].workspace
                cells[l].backward(input: .dense(UnsafePointer(below.outputs)), inputGradient: below.outputGradients)
            } else {
                cells[l].backward(input: .dense(UnsafePointer(inputBuffer.pointer)), inputGradient: nil)
            }
        }
    }

    /// The last forward's predictions (a copy): regression values, `batch × O`; or logistic
    /// probabilities σ(z), `steps·batch × O` t-major.
    public var predictions: [Scalar] {
        let n = predictionRows(steps: steps, batch: batch) * config.outputSize
        let source = config.head == .logistic ? probabilities.pointer : logits.pointer
        return Array(UnsafeBufferPointer(start: source, count: n))
    }

    /// Test hook: breaks one backward term in every layer.
    func injectFault(_ fault: BackwardFault) {
        RecurrentStack.injectFault(fault, into: cells)
    }
}
