import LMModels
import LMTensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Generation's state of a ``RecurrentLM``: the model's own single step
/// (``RecurrentNetwork/step(_:state:schedule:)``: embedding, cells, head) on a
/// ``LanguageModelStepState`` of its own, and the choice of schedule for each step.
///
/// Why not `model.forward(inputs:steps: 1, batch: 1)`: there each product is an m = 1 GEMM,
/// and OpenBLAS (0.3.21) packs the whole weight matrix before every such call; at batch 1 that
/// copy, not the arithmetic, is most of the time. The step reads the weights in place, once
/// per token, through ``VectorMatrix``, so they stay in the CPU's cache; its logits agree with
/// `model.forward` to float rounding (tested for every cell kind, embeddings and stacked
/// layers). The state lives here, so generation leaves the model's carried state alone.
///
/// Buffers are allocated by ``reset(batch:)`` when the batch changes; ``step(_:)`` allocates nothing.
///
/// Many sequences at once (a server's batcher): ``reset(batch:)`` with the most rows wanted,
/// then ``rows`` says how many the next step runs (rows 0..<rows); a sequence joins in a free
/// row with ``zeroRow(_:)``, and when one leaves the last active row moves into its place with
/// ``copyRow(_:to:)`` before ``rows`` shrinks. Each row's logits are bit for bit those of its
/// sequence stepped alone at batch 1 (as `lm-generate` steps it), whatever the other rows.
public final class GenerationState {
    private let model: RecurrentLM<Float>
    private var state: LanguageModelStepState

    /// Sequences the state holds (its capacity; 1 before the first ``reset(batch:)``).
    public var batch: Int { state.batch }
    /// Sequences the next ``step(_:)`` runs: rows 0..<rows (0...``batch``; ``batch`` after
    /// ``reset(batch:)``). Rows from `rows` on keep their state.
    public var rows: Int {
        get { state.rows }
        set { state.rows = newValue }
    }
    /// Whether large products are split across the worker pool: nil chooses by measurement
    /// (see ``ThreadingTuner``), true or false forces it. The text does not depend on it.
    /// `LMKIT_STEP_SPLIT=1` or `0` in the environment forces it (for measurements).
    public var parallel: Bool? = GenerationState.forcedSplit
    private static let forcedSplit: Bool? = {
        guard let text = getenv("LMKIT_STEP_SPLIT") else { return nil }
        switch String(cString: text) { case "1": return true; case "0": return false; default: return nil }
    }()
    private var tuner = ThreadingTuner()
    /// Alternates every step (see ``VectorMatrix/Schedule/backwards``).
    private var backwards = false

    /// The state of `model` for one sequence, or nil when the model cannot step
    /// (``RecurrentNetwork/canStep``: no recurrent layers, or an adaptive softmax head; then
    /// the generator runs `model.forward`). The model's weights are read at every step (and a
    /// tied head's Eᵀ copied at every reset), never copied otherwise.
    public init?(model: RecurrentLM<Float>) {
        guard model.canStep else { return nil }
        self.model = model
        state = model.makeStepState(batch: 1)
    }

    /// Zero state for `batch` sequences, all of them stepped (``rows`` = `batch`); allocates
    /// the buffers when the batch changes.
    public func reset(batch b: Int) {
        tuner.restartWindow()
        if state.batch == b {
            model.resetStepState(state)
        } else {
            state = model.makeStepState(batch: b)
        }
    }

    /// Row `r` (0..<``batch``) back to the zero state, for a new sequence; the other rows keep
    /// theirs. Its next step reads the sequence's first token.
    public func zeroRow(_ r: Int) { state.zeroRow(r) }

    /// Row `destination` takes row `source`'s state and last logits (both in 0..<``batch``),
    /// for compacting the batch when a sequence leaves.
    public func copyRow(_ source: Int, to destination: Int) { state.copyRow(source, to: destination) }

    /// Row b takes the state row `sources[b]` held (see ``LanguageModelStepState/gatherRows(_:)``).
    func gatherRows(_ sources: UnsafeBufferPointer<Int32>) { state.gatherRows(sources) }

    /// The logits of the last step, ``batch`` × vocabulary rows, row-major; rows 0..<``rows``
    /// are that step's. Valid until the next step or reset.
    public var logits: UnsafePointer<Float> { state.logits }

    /// Feeds one token per active sequence (`ids`: ``rows`` vocabulary ids, row order):
    /// advances rows 0..<``rows`` of every layer's state and computes their logits.
    public func step(_ ids: UnsafePointer<Int32>) {
        backwards.toggle()
        model.step(ids, state: state, schedule: VectorMatrix.Schedule(split: parallel ?? tuner.tick(), backwards: backwards))
    }
}
