import LMTensor

/// A stacked recurrent language model: input layer (one-hot or embedding) → L recurrent
/// layers (RNN, GRU or LSTM) → output head with the softmax cross-entropy (dense, or an
/// adaptive softmax with ``ModelConfig/adaptiveSoftmax``: ``LanguageModelHead``), trained by
/// truncated backpropagation through time over windows of T steps.
///
/// Data layout: a window's `inputs` and `targets` are `steps × batch` token ids, t-major
/// (`ids[t * batch + b]` is sequence b at step t), as d2l's transposed minibatch. Logits
/// are T·B × V rows in the same order.
///
/// State: carried (detached) into the next window; ``RecurrentNetwork/resetState()`` zeroes it.
///
/// Parameters, in order: `embedding.W` (if any), then per layer l `<kind>.<l>.W_xh`,
/// `<kind>.<l>.W_hh`, `<kind>.<l>.b_h` (and `<kind>.<l>.b_hh` with ``ModelConfig/recurrentBias``),
/// then `output.W_hq` (absent when ``ModelConfig/tied``: the head reads `embedding.W`), `output.b_q`
/// (an adaptive head: `output.head.W`, then per cluster `output.tail.<i>.proj`, `output.tail.<i>.W`).
///
/// `RecurrentLM<Float>` trains, `RecurrentLM<Double>` runs the same code for gradient checks.
public typealias RecurrentLM<Scalar: TensorScalar> = RecurrentNetwork<InputLayer<Scalar>, LanguageModelHead<Scalar>>

extension RecurrentNetwork where Head == LanguageModelHead<Input.Scalar> {
    /// The logits of the last forward: steps·batch × vocabulary, t-major rows (a copy). An
    /// adaptive softmax model gives its exact log-probabilities (valid logits: their softmax
    /// is the model's distribution).
    public var logits: Matrix<Scalar> {
        try! Matrix(rows: outputLayer.rows, cols: outputLayer.outputSize, storage: Array(outputLayer.scores))
    }
}

// MARK: - Single steps (generation)

extension RecurrentNetwork where Input == InputLayer<Float>, Head == LanguageModelHead<Float> {
    /// Whether ``step(_:state:schedule:)`` runs this model: it has recurrent layers and a dense
    /// head (an adaptive softmax head's exact log-probabilities come from ``forward(inputs:steps:batch:)``).
    public var canStep: Bool { !cells.isEmpty && outputLayer.dense != nil }

    /// A zero step state for `batch` sequences (see ``LanguageModelStepState``), Eᵀ filled
    /// for a tied head. Requires ``canStep``.
    public func makeStepState(batch: Int) -> LanguageModelStepState {
        let state = LanguageModelStepState(
            batch: batch, layers: cells.map { $0.makeStepState(batch: batch) },
            embeddingWidth: inputLayer.embeddingSize ?? 0, vocabularySize: config.vocabularySize,
            transposedHeadCount: outputLayer.isTied ? outputLayer.weight.count : 0)
        refreshTransposedHead(state)
        return state
    }

    /// Back to the zero state, every row stepped again (``LanguageModelStepState/rows`` =
    /// batch), and Eᵀ refilled from E (so generation follows a model still training).
    public func resetStepState(_ state: LanguageModelStepState) {
        for s in state.layers { s.reset() }
        state.rows = state.batch
        refreshTransposedHead(state)
    }

    private func refreshTransposedHead(_ state: LanguageModelStepState) {
        guard state.transposedHead.count > 0 else { return }
        let e = outputLayer.weight
        Transposition.transpose(e.value.pointer, rows: e.rows, cols: e.cols, into: state.transposedHead.pointer)
    }

    /// One time step of the state's first ``LanguageModelStepState/rows`` sequences, the
    /// network's own layers run for generation: reads one token id per sequence (`ids`, rows of
    /// them), gathers the embedding rows (if any), advances every layer
    /// (``RecurrentCell/step(input:state:schedule:)``) and leaves the logits in
    /// ``LanguageModelStepState/logits``. Each product reads the weights in place
    /// (``VectorMatrix``), where a window's m = batch products would pack them: a vector ×
    /// matrix for one sequence, for several a multi-row product that reads each matrix once per
    /// group of rows and gives every row the bits it gets stepped alone (so a sequence's logits
    /// do not depend on the others in the batch, nor on its row). The logits agree with
    /// ``forward(inputs:steps:batch:)`` to float rounding. A single one-hot layer stepping one
    /// row (d2l's models) runs the head alongside the next step's product when its cell can
    /// (``RecurrentCell/overlappedStep(token:state:schedule:alongside:)``). No allocation.
    public func step(_ ids: UnsafePointer<Int32>, state: LanguageModelStepState, schedule: VectorMatrix.Schedule) {
        let layers = state.layers, rows = state.rows
        guard rows > 0 else { return }
        if cells.count == 1 && inputLayer.embedding == nil && rows == 1
            && cells[0].overlappedStep(token: ids[0], state: layers[0], schedule: schedule, alongside: { stepHead(0, state) }) {
            return
        }
        var input = CellInput<Float>.tokens(ids)
        if inputLayer.embedding != nil {
            inputLayer.gather(ids, count: rows, into: state.inputRows.pointer)
            input = .dense(UnsafePointer(state.inputRows.pointer))
        }
        for l in 0..<cells.count {
            cells[l].step(input: input, state: layers[l], schedule: schedule)
            input = .dense(UnsafePointer(layers[l].output))
        }
        if rows == 1 {
            stepHead(0, state)
        } else {
            stepHeads(state, schedule: schedule)
        }
    }

    /// Logits of sequence `b` = H_top[b] W_hq + b_q (tied: H_top[b] Eᵀ + b_q).
    private func stepHead(_ b: Int, _ state: LanguageModelStepState) {
        let v = config.vocabularySize, top = state.layers[state.layers.count - 1]
        let out = state.logitBuffer.pointer + b * v
        let weights = state.transposedHead.count > 0 ? state.transposedHead.pointer : outputLayer.weight.value.pointer
        out.update(from: outputLayer.bias.value.pointer, count: v)
        VectorMatrix.accumulateHead(top.output + b * top.hidden, weights, rows: top.hidden, cols: v, stride: v, into: out)
    }

    /// ``stepHead(_:_:)`` for the state's rows at once, through the multi-row head kernel (the
    /// same bits per row).
    private func stepHeads(_ state: LanguageModelStepState, schedule: VectorMatrix.Schedule) {
        let v = config.vocabularySize, top = state.layers[state.layers.count - 1], rows = state.rows
        let out = state.logitBuffer.pointer
        let weights = state.transposedHead.count > 0 ? state.transposedHead.pointer : outputLayer.weight.value.pointer
        for b in 0..<rows { (out + b * v).update(from: outputLayer.bias.value.pointer, count: v) }
        VectorMatrix.accumulateHead(vectors: rows, top.output, xStride: top.hidden, weights, rows: top.hidden, cols: v, stride: v,
                                    into: out, yStride: v, schedule: schedule)
    }
}
