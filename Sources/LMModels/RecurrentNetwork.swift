import LMSettings
import LMTensor

/// A recurrent network: an input (``NetworkInput``) → L stacked recurrent layers (RNN, GRU or
/// LSTM, the same cells with the same hand-written BPTT for every network) → a head
/// (``NetworkHead``) with its loss. ``RecurrentLM`` (token input, softmax head) and
/// ``SequenceModel`` (dense features, regression or logistic head) are this type with
/// different inputs and heads; everything else lives here once: the cell stack, the
/// parameter list, forward and backward through the stack, the carried state, zeroing,
/// gradient buffers and the test-only fault seam (``BackwardFault``).
///
/// Data layout: a window is `steps × batch` positions, t-major (position t·batch + b is
/// sequence b at step t), as d2l's transposed minibatch.
///
/// State: each layer carries its final state (h, and c for LSTM) into the next window,
/// detached (the next backward stops at the window boundary), unless the configuration's
/// ``RecurrentArchitecture/windowsAreIndependent`` says every forward starts from zero.
/// ``resetState()`` zeroes it; a window with a different batch size starts from zeros.
///
/// Typical step: `zeroGradients()`, `forward(inputs:targets:steps:batch:dropout:)`, `backward()`,
/// clip ``gradientBuffers``, update each ``parameters`` entry.
///
/// Dropout (``Dropout``, in the configuration) applies only to a forward given a
/// ``DropoutKey``: on the input's rows before layer 0, on each layer's output feeding the
/// next, on the top output before the head, as row scales of the embedding and as a mask on
/// every W_hh; the backward multiplies by the same masks. Without a key nothing is dropped.
///
/// Buffers are allocated once per (steps, batch) shape and reused; no allocation happens
/// per time step. Generic over the scalar: `Float` trains, `Double` runs the same code for
/// gradient checks.
public final class RecurrentNetwork<Input: NetworkInput, Head: NetworkHead>
where Head.Scalar == Input.Scalar, Head.Configuration == Input.Configuration {
    public typealias Scalar = Input.Scalar
    public typealias Configuration = Input.Configuration

    /// The architecture this network was built from.
    public let config: Configuration
    /// The input layer.
    public let inputLayer: Input
    /// The recurrent layers, bottom first.
    public let cells: [any RecurrentCell<Scalar>]
    /// The head.
    public let outputLayer: Head
    /// Every parameter, in a fixed order: the input's, then per layer l `<kind>.<l>.W_xh`,
    /// `<kind>.<l>.W_hh`, `<kind>.<l>.b_h` (and `<kind>.<l>.b_hh` with two biases), then the
    /// head's (a tied head's weight is the input's embedding, listed once, with the input).
    public let parameters: [Parameter<Scalar>]
    /// Every parameter's gradient, contiguous in ``parameters`` order (64-byte aligned, zero
    /// between): each ``Parameter/gradient`` is a view into it.
    public let gradientStorage: Buffer<Scalar>

    private var steps = 0, batch = 0
    private var hasTargets = false
    /// Dropout masks per place (bottom input, between layers l → l+1, top output) and per
    /// layer's W_hh, made on first use; and which of them the last forward applied.
    let inputMask: DropoutMask<Scalar>
    let hiddenMasks: [DropoutMask<Scalar>]
    let outputMask: DropoutMask<Scalar>
    private(set) var weightMasks: [WeightDropMask<Scalar>] = []
    private var applied = AppliedDropout()
    /// Test seam: a backward term to break (``BackwardFault``), at window level.
    private var fault = BackwardFault.none

    /// The places the last forward dropped at.
    private struct AppliedDropout {
        var input = false, hidden = false, output = false, weight = false
    }

    /// Builds a network and initialises its parameters in ``parameters`` order: the input's
    /// from `config.embeddingInitialization ?? config.initialization`, the layers' from
    /// `config.initialization`, the head's from `config.outputInitialization ??
    /// config.initialization` (see ``Initializer/Part``); then an LSTM's forget-gate bias is
    /// set to `config.forgetBias`, if given.
    ///
    /// - Throws: ``SettingsError`` for a setting that cannot work, an unregistered cell kind included.
    public init(config: Configuration, using generator: inout some RandomNumberGenerator) throws {
        try config.validate()
        self.config = config
        inputLayer = Input(configuration: config)
        let cells: [any RecurrentCell<Scalar>] = try RecurrentStack.cells(for: config, inputSize: inputLayer.outputSize)
        self.cells = cells
        outputLayer = Head(configuration: config, embedding: inputLayer.embedding)
        inputMask = DropoutMask(place: .input, layer: 0)
        hiddenMasks = (0..<max(0, config.layers - 1)).map { DropoutMask(place: .hidden, layer: $0) }
        outputMask = DropoutMask(place: .output, layer: config.layers - 1)
        parameters = inputLayer.parameters + cells.flatMap { $0.parameters } + outputLayer.parameters
        gradientStorage = Parameter.poolGradients(parameters)
        let inputScheme = config.embeddingInitialization ?? config.initialization
        for p in inputLayer.parameters {
            Initializer.initialize(p, scheme: inputScheme, part: .input, using: &generator)
        }
        for c in cells {
            for p in c.parameters {
                Initializer.initialize(p, scheme: config.initialization, part: .recurrent(hidden: c.hiddenSize), using: &generator)
            }
        }
        let outputScheme = config.outputInitialization ?? config.initialization
        for p in outputLayer.parameters {
            Initializer.initialize(p, scheme: outputScheme, part: .output(fanIn: outputLayer.fanIn(of: p) ?? config.hiddenSize), using: &generator)
        }
        if let f = config.forgetBias { LSTMDefinition.setForgetBias(f, in: cells) }
    }

    /// The parameter called `name`, if any.
    public func parameter(named name: String) -> Parameter<Scalar>? {
        parameters.first { $0.name == name }
    }

    /// Total number of scalar parameters.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// After ``backward()``: the input's row-sparse gradient (an untied embedding's rows of the
    /// window's ids), or nil when every gradient may be dense (one-hot input, a tied head).
    public var rowSparseGradient: RowSparseGradient<Scalar>? {
        outputLayer.readsInputEmbedding ? nil : inputLayer.rowSparseGradient
    }

    /// Every gradient buffer, in ``parameters`` order (for clipping and optimizers).
    public var gradientBuffers: [UnsafeMutableBufferPointer<Scalar>] { parameters.map { $0.gradient.buffer } }

    /// Sets every gradient to zero.
    public func zeroGradients() { gradientStorage.zero() }

    /// Zeroes the carried state of every layer (start of an epoch, or d2l's random sampling).
    public func resetState() {
        for c in cells { for s in c.workspace.carried { s.zero() } }
    }

    /// The carried state: per layer h (and c for LSTM), each batch × that layer's width,
    /// bottom layer first. Setting it requires the same count and equal shapes; it then sets the batch.
    public var state: [Matrix<Scalar>] {
        cells.flatMap { c in
            c.workspace.carried.map { try! Matrix(rows: c.workspace.carried[0].count / c.hiddenSize, cols: c.hiddenSize, storage: $0.array) }
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
        var k = 0
        for c in cells {
            for m in newState[k..<(k + c.stateCount)] where m.rows != b || m.cols != c.hiddenSize {
                throw ModelError.shapeMismatch("state matrix \(m.rows)×\(m.cols); expected \(b)×\(c.hiddenSize)")
            }
            k += c.stateCount
        }
        k = 0
        for c in cells {
            c.workspace.prepare(steps: max(c.workspace.steps, 1), batch: b)
            for s in c.workspace.carried { try s.assign(newState[k].storage); k += 1 }
        }
    }

    /// Runs a window forward and returns the head's mean loss over it (cross-entropy in nats
    /// for a language model). Keeps what ``backward()`` needs.
    ///
    /// - Parameters:
    ///   - inputs: the window's inputs, t-major (see the input type).
    ///   - targets: what the head is trained to predict (see the head type).
    ///   - dropout: the training window's mask key, applying the configuration's
    ///     ``Dropout``; nil (evaluation, the default) drops nothing.
    ///   - keepingOutputs: false lets the head write the loss's gradient over its outputs
    ///     (the dense head's logits), which are then not to be read before the next forward:
    ///     a training step, which only runs ``backward()`` after it.
    /// - Throws: ``ModelError/shapeMismatch(_:)``, ``ModelError/tokenOutOfRange(id:vocabularySize:)``.
    @discardableResult
    @_specialize(where Input == InputLayer<Float>, Head == LanguageModelHead<Float>)
    public func forward(inputs: Input.Values, targets: Head.Targets, steps: Int, batch: Int,
                        dropout: DropoutKey? = nil, keepingOutputs: Bool = true) throws -> Double {
        try Self.checkWindow(steps: steps, batch: batch)
        try outputLayer.validate(targets, steps: steps, batch: batch)
        try run(inputs: inputs, steps: steps, batch: batch, dropout: dropout)
        hasTargets = true
        return outputLayer.loss(targets, keepingOutputs: keepingOutputs)
    }

    /// Runs a window forward without a loss (evaluation, generation); the head's outputs
    /// are then there to read. ``backward()`` is not possible after this call.
    ///
    /// - Throws: ``ModelError/shapeMismatch(_:)``, ``ModelError/tokenOutOfRange(id:vocabularySize:)``.
    @_specialize(where Input == InputLayer<Float>, Head == LanguageModelHead<Float>)
    public func forward(inputs: Input.Values, steps: Int, batch: Int) throws {
        try run(inputs: inputs, steps: steps, batch: batch, dropout: nil)
    }

    /// The forward through input, stack and head, dropping where `key` and the
    /// configuration say.
    @_specialize(where Input == InputLayer<Float>, Head == LanguageModelHead<Float>)
    private func run(inputs: Input.Values, steps: Int, batch: Int, dropout key: DropoutKey?) throws {
        try Self.checkWindow(steps: steps, batch: batch)
        try inputLayer.validate(inputs, steps: steps, batch: batch)
        self.steps = steps
        self.batch = batch
        hasTargets = false
        let d = key == nil ? Dropout.off : config.dropout
        applied = AppliedDropout(input: d.input > 0, hidden: d.hidden > 0 && cells.count > 1, output: d.output > 0,
                                 weight: d.weightDrop > 0)
        inputLayer.setRowDropout(probability: d.embedding, key: key)
        inputLayer.load(inputs, steps: steps, batch: batch)
        prepareWeightDrop(key, p: d.weightDrop)
        let fresh = Configuration.windowsAreIndependent
        inputLayer.withCurrent { first in
            var input = first
            if applied.input, let key, case .dense(let x) = first {
                inputMask.draw(key, p: d.input, locked: d.locked, steps: steps, batch: batch, width: inputLayer.outputSize)
                input = .dense(inputMask.apply(x))
            }
            for (l, c) in cells.enumerated() {
                if fresh { for s in c.workspace.carried { s.zero() } }
                c.forward(input: input, steps: steps, batch: batch)
                var output = UnsafePointer(c.workspace.outputs)
                if applied.hidden, let key, l < cells.count - 1 {
                    hiddenMasks[l].draw(key, p: d.hidden, locked: d.locked, steps: steps, batch: batch, width: c.hiddenSize)
                    output = hiddenMasks[l].apply(output)
                }
                input = .dense(output)
            }
        }
        var top = UnsafePointer(cells[cells.count - 1].workspace.outputs)
        if applied.output, let key {
            outputMask.draw(key, p: d.output, locked: d.locked, steps: steps, batch: batch, width: cells[cells.count - 1].hiddenSize)
            top = outputMask.apply(top)
        }
        outputLayer.forward(hidden: top, steps: steps, batch: batch)
    }

    /// Weight drop for the window: each layer's cell reads W̃_hh = W_hh ⊙ M (or W_hh itself
    /// when `key` is nil or `p` is 0).
    private func prepareWeightDrop(_ key: DropoutKey?, p: Double) {
        guard let key, p > 0 else {
            for c in cells { c.workspace.droppedRecurrent = nil }
            return
        }
        if weightMasks.isEmpty {
            weightMasks = cells.enumerated().map { l, c in WeightDropMask(layer: l, rows: c.hiddenSize, cols: c.gateCount * c.hiddenSize) }
        }
        for (l, c) in cells.enumerated() {
            weightMasks[l].draw(key, p: p, weight: c.parameters[1])
            c.workspace.droppedRecurrent = weightMasks[l].dropped
        }
    }

    /// Backpropagates the last window's loss through the head and through time, and *adds*
    /// ∂loss/∂θ to every parameter's gradient (call ``zeroGradients()`` between updates).
    /// The loss differentiated is the head's plus the configuration's
    /// ``ModelConfig/ActivationRegularization`` (``activationRegularizationLoss``), whose
    /// gradients join the top layer's output gradient before it runs back through time.
    ///
    /// - Throws: ``ModelError/backwardWithoutForward`` unless the last forward had targets.
    @_specialize(where Input == InputLayer<Float>, Head == LanguageModelHead<Float>)
    public func backward() throws {
        guard hasTargets, steps > 0 else { throw ModelError.backwardWithoutForward }
        let top = cells[cells.count - 1].workspace, regularization = config.activationRegularization
        let stepWidth = batch * cells[cells.count - 1].hiddenSize
        let dropped = topDroppedOutput
        outputLayer.backward(hidden: dropped, hiddenGradient: top.outputGradients)
        ActivationRegularizer.addARGradient(regularization.ar, values: dropped, into: top.outputGradients,
                                            count: steps * stepWidth, fault: fault)
        if applied.output, fault != .skipOutputMask { outputMask.maskGradient(top.outputGradients) }
        ActivationRegularizer.addTARGradient(regularization.tar, values: top.outputs, into: top.outputGradients,
                                             steps: steps, stepWidth: stepWidth, fault: fault)
        for l in stride(from: cells.count - 1, through: 1, by: -1) {
            let below = cells[l - 1].workspace
            if applied.hidden {
                cellBackward(l, input: .dense(UnsafePointer(hiddenMasks[l - 1].values.pointer)), inputGradient: below.outputGradients)
                if fault != .skipHiddenMask { hiddenMasks[l - 1].maskGradient(below.outputGradients) }
            } else {
                cellBackward(l, input: .dense(UnsafePointer(below.outputs)), inputGradient: below.outputGradients)
            }
        }
        inputLayer.withCurrent { first in
            if applied.input, let dx = inputLayer.inputGradient {
                cellBackward(0, input: .dense(UnsafePointer(inputMask.values.pointer)), inputGradient: dx)
                if fault != .skipInputMask { inputMask.maskGradient(dx) }
            } else {
                cellBackward(0, input: first, inputGradient: inputLayer.inputGradient)
            }
        }
        fault.inputBackward(inputLayer) { inputLayer.backward() }
    }

    /// The top layer's output the head read in the last forward: after the output dropout
    /// when it applied, else the layer's own (T·B × H, t-major).
    private var topDroppedOutput: UnsafePointer<Scalar> {
        applied.output ? UnsafePointer(outputMask.values.pointer) : UnsafePointer(cells[cells.count - 1].workspace.outputs)
    }

    /// The last forward's activation regularization (``ModelConfig/ActivationRegularization``):
    /// α·mean(D²) + β·mean((R_{t+1} − R_t)²) over its top-layer output, D after the output
    /// dropout, R before; 0 when it is off. ``backward()`` differentiates the head's loss plus
    /// this; the loss the forward returns leaves it out.
    public var activationRegularizationLoss: Double {
        guard steps > 0, let last = cells.last else { return 0 }
        let regularization = config.activationRegularization, stepWidth = batch * last.hiddenSize
        return ActivationRegularizer.arLoss(regularization.ar, values: topDroppedOutput, count: steps * stepWidth)
            + ActivationRegularizer.tarLoss(regularization.tar, values: UnsafePointer(last.workspace.outputs),
                                            steps: steps, stepWidth: stepWidth)
    }

    /// Layer `l`'s backward; under weight drop its W_hh gradient gains exactly dW̃_hh ⊙ M.
    private func cellBackward(_ l: Int, input: CellInput<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>?) {
        guard applied.weight else {
            fault.layerBackward(cells[l]) { cells[l].backward(input: input, inputGradient: inputGradient) }
            return
        }
        let w = cells[l].parameters[1]
        weightMasks[l].saveGradient(w)
        fault.layerBackward(cells[l]) { cells[l].backward(input: input, inputGradient: inputGradient) }
        weightMasks[l].finishGradient(w, skipMask: fault == .skipWeightMask)
    }

    private static func checkWindow(steps: Int, batch: Int) throws {
        guard steps > 0, batch > 0 else {
            throw ModelError.shapeMismatch("window of \(steps) steps × \(batch) batch; both must be ≥ 1")
        }
    }

    /// Test seam: breaks one backward term (in every layer, for a layer's term).
    func injectFault(_ fault: BackwardFault) {
        self.fault = fault
        (outputLayer as? LanguageModelHead<Scalar>)?.injectFault(fault)
    }
}
