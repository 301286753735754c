import LMTensor

/// A stacked recurrent language model: input layer (one-hot or embedding) → L recurrent
/// layers (RNN, GRU or LSTM) → dense output head, trained by truncated backpropagation
/// through time over windows of T steps.
///
/// Data layout: a window's `inputs` and `targets` are `steps × batch` token ids, t-major
/// (`ids[t * batch + b]` is sequence b at step t), as d2l's transposed minibatch. Logits
/// are T·B × V rows in the same order.
///
/// State: each layer carries its final state (h, and c for LSTM) into the next window; it
/// is detached (the next backward stops at the window boundary). ``resetState()`` zeroes
/// it; a window with a different batch size starts from zeros.
///
/// Typical step: `zeroGradients()`, `forward(inputs:targets:steps:batch:)`, `backward()`,
/// clip ``gradientBuffers``, update each ``parameters`` entry.
///
/// Buffers are allocated once per (steps, batch) shape and reused; no allocation happens
/// per time step. Generic over the scalar: `RecurrentLM<Float>` trains,
/// `RecurrentLM<Double>` runs the same code for gradient checks.
public final class RecurrentLM<Scalar: TensorScalar> {
    /// The architecture this model was built from.
    public let config: ModelConfig
    /// The input layer (embedding parameters, if any).
    public let inputLayer: InputLayer<Scalar>
    /// The recurrent layers, bottom first.
    public let cells: [any RecurrentCell<Scalar>]
    /// The output head.
    public let outputLayer: OutputLayer<Scalar>
    /// Every parameter, in a fixed order: `embedding.W` (if any), then per layer l
    /// `<kind>.<l>.W_xh`, `<kind>.<l>.W_hh`, `<kind>.<l>.b_h`, then `output.W_hq`, `output.b_q`.
    public let parameters: [Parameter<Scalar>]

    private var steps = 0, batch = 0
    private var lastInputs: [Int32] = []
    private var lastTargets: [Int32]? = nil

    /// Builds a model and initialises its parameters from `config.initialization`.
    ///
    /// - Throws: ``ModelError/invalidConfiguration(_:)``.
    public init(config: ModelConfig, using generator: inout some RandomNumberGenerator) throws {
        try config.validate()
        self.config = config
        inputLayer = InputLayer(vocabularySize: config.vocabularySize, embeddingSize: config.embeddingSize)
        let cells: [any RecurrentCell<Scalar>] = RecurrentStack.cells(
            kind: config.kind, activation: config.activation, inputSize: inputLayer.outputSize,
            hiddenSize: config.hiddenSize, layers: config.layers)
        self.cells = cells
        outputLayer = OutputLayer(inputSize: config.hiddenSize, outputSize: config.vocabularySize)
        parameters = inputLayer.parameters + cells.flatMap { $0.parameters } + outputLayer.parameters
        for p in inputLayer.parameters {
            Initializer.initialize(p, scheme: config.initialization, gateWidth: p.cols, using: &generator)
        }
        for c in cells {
            for p in c.parameters {
                Initializer.initialize(p, scheme: config.initialization, gateWidth: config.hiddenSize, using: &generator)
            }
        }
        for p in outputLayer.parameters {
            Initializer.initialize(p, scheme: config.initialization, gateWidth: p.cols, using: &generator)
        }
    }

    /// The parameter called `name`, if any.
    public func parameter(named name: String) -> Parameter<Scalar>? {
        parameters.first { $0.name == name }
    }

    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// Every gradient buffer, in ``parameters`` order (for clipping and optimizers).
    public var gradientBuffers: [UnsafeMutableBufferPointer<Scalar>] { parameters.map { $0.gradient.buffer } }

    /// Sets every gradient to zero.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    /// Zeroes the carried state of every layer (start of an epoch, or d2l's random sampling).
    public func resetState() {
        for c in cells { for s in c.workspace.carried { s.zero() } }
    }

    /// The carried state: per layer h (and c for LSTM), each batch × hidden, bottom layer
    /// first. Setting it requires the same count and equal shapes; it then sets the batch.
    public var state: [Matrix<Scalar>] {
        get {
            cells.flatMap { c in
                c.workspace.carried.map { try! Matrix(rows: c.workspace.carried[0].count / c.hiddenSize, cols: c.hiddenSize, storage: $0.array) }
            }
        }
    }

    /// Replaces the carried state (see ``state``). The batch size becomes the matrices' rows.
    ///
    /// - Throws: ``ModelError/shapeMismatch(_:)`` when the count or a shape is wrong.
    public func setState(_ newState: [Matrix<Scalar>]) throws {
        let expected = cells.reduce(0) { $0 + $1.stateCount }
        guard newState.count == expected, let b = newState.first?.rows else {
            throw ModelError.shapeMismatch("state has \(newState.count) matrices; this model carries \(expected)")
        }
        for m in newState where m.rows != b || m.cols != config.hiddenSize {
            throw ModelError.shapeMismatch("state matrix \(m.rows)×\(m.cols); expected \(b)×\(config.hiddenSize)")
        }
        var k = 0
        for c in cells {
            c.workspace.prepare(steps: max(c.workspace.steps, 1), batch: b)
            for s in c.workspace.carried { try s.assign(newState[k].storage); k += 1 }
        }
    }

    /// Runs a window forward and returns the mean cross-entropy over its `steps × batch`
    /// target tokens (nats). Keeps what ``backward()`` needs.
    ///
    /// - Parameters:
    ///   - inputs: `steps × batch` token ids, t-major.
    ///   - targets: the next tokens, same layout.
    /// - Throws: ``ModelError/shapeMismatch(_:)``, ``ModelError/tokenOutOfRange(id:vocabularySize:)``.
    @discardableResult
    public func forward(inputs: [Int32], targets: [Int32], steps: Int, batch: Int) throws -> Double {
        guard targets.count == inputs.count else {
            throw ModelError.shapeMismatch("\(targets.count) targets for \(inputs.count) inputs")
        }
        try validate(targets, steps: steps, batch: batch, what: "targets")
        try forward(inputs: inputs, steps: steps, batch: batch)
        lastTargets = targets
        return targets.withUnsafeBufferPointer { outputLayer.loss(targets: $0.baseAddress!) }
    }

    /// Runs a window forward without a loss (evaluation of logits, generation). The logits
    /// are then in ``logits``; ``backward()`` is not possible after this call.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(inputs: [Int32], steps: Int, batch: Int) throws {
        try validate(inputs, steps: steps, batch: batch, what: "inputs")
        self.steps = steps
        self.batch = batch
        lastInputs = inputs
        lastTargets = nil
        let rows = steps * batch
        inputs.withUnsafeBufferPointer { ids in
            var input = inputLayer.forward(ids: ids.baseAddress!, rows: rows)
            for c in cells {
                c.forward(input: input, steps: steps, batch: batch)
                input = .dense(UnsafePointer(c.workspace.outputs))
            }
            outputLayer.forward(hidden: cells[cells.count - 1].workspace.outputs, rows: rows)
        }
    }

    /// Backpropagates the last window's loss through time and *adds* ∂loss/∂θ to every
    /// parameter's gradient (call ``zeroGradients()`` between updates).
    ///
    /// - Throws: ``ModelError/backwardWithoutForward`` unless the last forward had targets.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward() throws {
        guard lastTargets != nil, steps > 0 else { throw ModelError.backwardWithoutForward }
        let rows = steps * batch
        lastInputs.withUnsafeBufferPointer { ids in
            let top = cells[cells.count - 1]
            outputLayer.backward(hidden: top.workspace.outputs, hiddenGradient: top.workspace.outputGradients)
            for l in stride(from: cells.count - 1, through: 0, by: -1) {
                let c = cells[l]
                if l > 0 {
                    let below = cells[l - 1]
                    c.backward(input: .dense(UnsafePointer(below.workspace.outputs)),
                               inputGradient: below.workspace.outputGradients)
                } else {
                    c.backward(input: inputLayer.current(ids: ids.baseAddress!), inputGradient: inputLayer.inputGradient)
                }
            }
            inputLayer.backward(ids: ids.baseAddress!, rows: rows)
        }
    }

    /// The logits of the last forward: steps·batch × vocabulary, t-major rows (a copy).
    public var logits: Matrix<Scalar> {
        let n = outputLayer.rows * outputLayer.outputSize
        return try! Matrix(rows: outputLayer.rows, cols: outputLayer.outputSize,
                           storage: Array(UnsafeBufferPointer(start: outputLayer.logits.pointer, count: n)))
    }

    private func validate(_ ids: [Int32], steps: Int, batch: Int, what: String) throws {
        guard steps > 0, batch > 0 else {
            throw ModelError.shapeMismatch("window of \(steps) steps × \(batch) batch; both must be ≥ 1")
        }
        guard ids.count == steps * batch else {
            throw ModelError.shapeMismatch("\(ids.count) \(what) for a window of \(steps) steps × \(batch) batch (\(steps * batch) expected)")
        }
        let v = Int32(config.vocabularySize)
        for id in ids where id < 0 || id >= v {
            throw ModelError.tokenOutOfRange(id: id, vocabularySize: config.vocabularySize)
        }
    }

    /// Test hook: breaks one backward term in every layer.
    func injectFault(_ fault: BackwardFault) {
        RecurrentStack.injectFault(fault, into: cells)
    }
}
