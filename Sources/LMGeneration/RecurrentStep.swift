import LMModels
import LMTensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One time step of a ``RecurrentLM`` for a few sequences: the model's forward specialised to
/// generation, where every product is a vector × matrix (batch 1, one step).
///
/// Why not `model.forward(inputs:steps: 1, batch: 1)`: there each product is an m = 1 GEMM,
/// and OpenBLAS (0.3.21) packs the whole weight matrix before every such call; at batch 1 that
/// copy, not the arithmetic, is most of the time (measured with perf on RNN-512: ~70 % in
/// `sgemm_itcopy` + kernel, ~10 µs per token). Here each cell's
/// ``RecurrentCell/step(input:state:schedule:)`` and the output head read the weights in
/// place, once per token, through ``VectorMatrix``, so they stay in the CPU's cache.
///
/// This type holds what is not a cell's: the input rows (token ids, or gathered embedding
/// rows), a ``CellStepState`` per layer, the head, and the choice of schedule (split across
/// the worker pool or not, block order). The cells do the math, with the same gate layout,
/// order of operations and element-wise kernels as their window forward; only the
/// summation order of the products differs, so logits agree with `model.forward` to float
/// rounding (tested for every cell kind, embeddings and stacked layers). The state lives
/// here, so generation leaves the model's carried state alone.
///
/// A tied head (``OutputLayer/isTied``) has its weight as the embedding E, V × H; the step
/// reads Eᵀ (H × V) from a copy allocated here once and refilled from E by every
/// ``reset(batch:)`` (the start of each generation), so it follows a model still training.
///
/// Buffers are allocated by ``reset(batch:)``; ``step(_:)`` allocates nothing.
final class RecurrentStep {
    private let cells: [any RecurrentCell<Float>]
    private let embedding: Parameter<Float>?
    private let headWeight: Parameter<Float>, headBias: Parameter<Float>
    /// A tied head's Eᵀ, H × V (empty for an untied head, which reads W_hq in place).
    private let transposedHead: Buffer<Float>
    private let vocabularySize: Int

    private(set) var batch = 0
    /// Whether large products are split across the worker pool: nil chooses by measurement
    /// (see ``ThreadingTuner``), true or false forces it. The text does not depend on it.
    /// `LMKIT_STEP_SPLIT=1` or `0` in the environment forces it (for measurements).
    var parallel: Bool? = RecurrentStep.forcedSplit
    private static let forcedSplit: Bool? = {
        guard let text = getenv("LMKIT_STEP_SPLIT") else { return nil }
        switch String(cString: text) { case "1": return true; case "0": return false; default: return nil }
    }()
    private var tuner = ThreadingTuner()
    /// Alternates every step (see ``VectorMatrix/Schedule/backwards``).
    private var backwards = false
    private var states: [CellStepState<Float>] = []
    /// The embedding rows of the current tokens, batch × E (empty for one-hot input).
    private var inputRows = Buffer<Float>(count: 0)
    private var logitBuffer = Buffer<Float>(count: 0)

    /// The step of `model`, or nil for a model without recurrent layers or with an adaptive
    /// softmax head (then the generator falls back to `model.forward`, whose logits are the
    /// adaptive head's exact log-probabilities).
    init?(model: RecurrentLM<Float>) {
        guard !model.cells.isEmpty, model.outputLayer.dense != nil else { return nil }
        cells = model.cells
        embedding = model.inputLayer.embedding
        headWeight = model.outputLayer.weight
        headBias = model.outputLayer.bias
        vocabularySize = model.config.vocabularySize
        transposedHead = Buffer(count: model.outputLayer.isTied ? headWeight.count : 0)
    }

    /// H × V head weights as the step reads them: W_hq in place, or Eᵀ for a tied head.
    private var headMatrix: UnsafePointer<Float> {
        UnsafePointer(transposedHead.count > 0 ? transposedHead.pointer : headWeight.value.pointer)
    }

    /// Refills ``transposedHead`` with Eᵀ (E is V × H) when the head is tied.
    private func refreshTransposedHead() {
        guard transposedHead.count > 0 else { return }
        let v = headWeight.rows, h = headWeight.cols, src = headWeight.value.pointer, dst = transposedHead.pointer
        for r0 in stride(from: 0, to: v, by: 16) {
            let r1 = min(r0 + 16, v)
            for i in 0..<h {
                let d = dst + i * v
                for r in r0..<r1 { d[r] = src[r * h + i] }
            }
        }
    }

    /// Zero state for `batch` sequences (allocates the buffers when the batch changes).
    func reset(batch b: Int) {
        tuner.restartWindow()
        refreshTransposedHead()
        if b != batch {
            batch = b
            states = cells.map { $0.makeStepState(batch: b) }
            inputRows = Buffer(count: b * (embedding?.cols ?? 0))
            logitBuffer = Buffer(count: b * vocabularySize)
        } else {
            for s in states { s.reset() }
        }
    }

    /// The logits of the last step, batch × vocabulary rows.
    var logits: UnsafePointer<Float> { UnsafePointer(logitBuffer.pointer) }

    /// Feeds one token per sequence: advances every layer's state and computes the logits.
    func step(_ ids: UnsafePointer<Int32>) {
        backwards.toggle()
        let schedule = VectorMatrix.Schedule(split: parallel ?? tuner.tick(), backwards: backwards)
        // A single one-hot layer at batch 1 (d2l's models) runs the head alongside the
        // next step's product when its cell can.
        if cells.count == 1 && embedding == nil && batch == 1
            && cells[0].overlappedStep(token: ids[0], state: states[0], schedule: schedule, alongside: { head(0) }) {
            return
        }
        var input = CellInput<Float>.tokens(ids)
        if let e = embedding {
            let width = e.cols, rows = inputRows.pointer
            for b in 0..<batch { (rows + b * width).update(from: e.value.pointer + Int(ids[b]) * width, count: width) }
            input = .dense(UnsafePointer(rows))
        }
        for l in 0..<cells.count {
            cells[l].step(input: input, state: states[l], schedule: schedule)
            input = .dense(UnsafePointer(states[l].output))
        }
        for b in 0..<batch { head(b) }
    }

    /// Logits of sequence `b` = H_top[b] W_hq + b_q (tied: H_top[b] Eᵀ + b_q).
    private func head(_ b: Int) {
        let v = vocabularySize, top = states[states.count - 1]
        let out = logitBuffer.pointer + b * v
        out.update(from: headBias.value.pointer, count: v)
        VectorMatrix.accumulateHead(top.output + b * top.hidden, headMatrix,
                                    rows: top.hidden, cols: v, stride: v, into: out)
    }
}
