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
final class GenerationState {
    private let model: RecurrentLM<Float>
    private var state: LanguageModelStepState?

    /// Sequences of the current generation (0 before the first reset).
    var batch: Int { state?.batch ?? 0 }
    /// Whether large products are split across the worker pool: nil chooses by measurement
    /// (see ``ThreadingTuner``), true or false forces it. The text does not depend on it.
    /// `LMKIT_STEP_SPLIT=1` or `0` in the environment forces it (for measurements).
    var parallel: Bool? = GenerationState.forcedSplit
    private static let forcedSplit: Bool? = {
        guard let text = getenv("LMKIT_STEP_SPLIT") else { return nil }
        switch String(cString: text) { case "1": return true; case "0": return false; default: return nil }
    }()
    private var tuner = ThreadingTuner()
    /// Alternates every step (see ``VectorMatrix/Schedule/backwards``).
    private var backwards = false

    /// The state of `model`, or nil when the model cannot step (``RecurrentNetwork/canStep``:
    /// no recurrent layers, or an adaptive softmax head; then the generator runs `model.forward`).
    init?(model: RecurrentLM<Float>) {
        guard model.canStep else { return nil }
        self.model = model
    }

    /// Zero state for `batch` sequences (allocates the buffers when the batch changes).
    func reset(batch b: Int) {
        tuner.restartWindow()
        if let state, state.batch == b {
            model.resetStepState(state)
        } else {
            state = model.makeStepState(batch: b)
        }
    }

    /// Row `r` back to the zero state (a sequence joining between steps).
    func zeroRow(_ r: Int) { state!.zeroRow(r) }

    /// Row `destination` takes row `source`'s state (closing the hole a finished sequence leaves).
    func copyRow(_ source: Int, to destination: Int) { state!.copyRow(source, to: destination) }

    /// The logits of the last step, batch × vocabulary rows.
    var logits: UnsafePointer<Float> { state!.logits }

    /// Row b takes the state row `sources[b]` held (see ``LanguageModelStepState/gatherRows(_:)``).
    func gatherRows(_ sources: UnsafeBufferPointer<Int32>) { state!.gatherRows(sources) }

    /// Feeds one token per sequence: advances every layer's state and computes the logits.
    func step(_ ids: UnsafePointer<Int32>) {
        backwards.toggle()
        model.step(ids, state: state!, schedule: VectorMatrix.Schedule(split: parallel ?? tuner.tick(), backwards: backwards))
    }
}
