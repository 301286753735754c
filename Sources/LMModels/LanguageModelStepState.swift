import LMTensor

/// A ``RecurrentLM``'s state between single steps of a few sequences (generation), with the
/// buffers a step needs: each layer's ``CellStepState``, the gathered embedding rows, the
/// logits and, for a tied head, Eᵀ. Made by ``RecurrentNetwork/makeStepState(batch:)``, zeroed
/// by ``RecurrentNetwork/resetStepState(_:)`` and advanced by
/// ``RecurrentNetwork/step(_:state:schedule:)``; nothing is reallocated per step. The model's
/// own carried state (its training windows') is a different one and is left alone.
public final class LanguageModelStepState {
    /// Sequences the state holds (its capacity).
    public let batch: Int
    /// Sequences the next step runs: rows 0..<rows of the ids, the state and the logits
    /// (0...``batch``; ``batch`` after a reset). Rows from `rows` on keep their state
    /// untouched. See ``zeroRow(_:)`` and ``copyRow(_:to:)`` for sequences joining and leaving.
    public var rows: Int {
        didSet {
            precondition(rows >= 0 && rows <= batch, "rows must be in 0...\(batch) (got \(rows))")
            for layer in layers { layer.rows = rows }
        }
    }
    /// Each layer's state, bottom first.
    let layers: [CellStepState<Float>]
    /// The embedding rows of the current tokens, batch × E (empty for one-hot input).
    let inputRows: Buffer<Float>
    let logitBuffer: Buffer<Float>
    /// Logits per row, V.
    let vocabularySize: Int
    /// A tied head's Eᵀ, H × V, refilled from E by every reset (empty for an untied head,
    /// whose W_hq the step reads in place).
    let transposedHead: Buffer<Float>

    init(batch: Int, layers: [CellStepState<Float>], embeddingWidth: Int, vocabularySize: Int, transposedHeadCount: Int) {
        self.batch = batch
        rows = batch
        self.layers = layers
        inputRows = Buffer(count: batch * embeddingWidth)
        logitBuffer = Buffer(count: batch * vocabularySize)
        self.vocabularySize = vocabularySize
        transposedHead = Buffer(count: transposedHeadCount)
    }

    /// The logits of the last step, batch × vocabulary rows (rows 0..<``rows`` from that step).
    public var logits: UnsafePointer<Float> { UnsafePointer(logitBuffer.pointer) }
}
