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
