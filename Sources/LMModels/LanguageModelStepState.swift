import LMTensor

/// A ``RecurrentLM``'s state between single steps of a few sequences (generation), with the
/// buffers a step needs: each layer's ``CellStepState``, the gathered embedding rows, the
/// logits and, for a tied head, Eᵀ. Made by ``RecurrentNetwork/makeStepState(batch:)``, zeroed
/// by ``RecurrentNetwork/resetStepState(_:)`` and advanced by
/// ``RecurrentNetwork/step(_:state:schedule:)``; nothing is reallocated per step. The model's
/// own carried state (its training windows') is a different one and is left alone.
public final class LanguageModelStepState {
    /// Sequences stepped together.
    public let batch: Int
    /// Each layer's state, bottom first.
    let layers: [CellStepState<Float>]
    /// The embedding rows of the current tokens, batch × E (empty for one-hot input).
    let inputRows: Buffer<Float>
    let logitBuffer: Buffer<Float>
    /// A tied head's Eᵀ, H × V, refilled from E by every reset (empty for an untied head,
    /// whose W_hq the step reads in place).
    let transposedHead: Buffer<Float>

    init(batch: Int, layers: [CellStepState<Float>], embeddingWidth: Int, vocabularySize: Int, transposedHeadCount: Int) {
        self.batch = batch
        self.layers = layers
        inputRows = Buffer(count: batch * embeddingWidth)
        logitBuffer = Buffer(count: batch * vocabularySize)
        transposedHead = Buffer(count: transposedHeadCount)
    }

    /// The logits of the last step, batch × vocabulary rows.
    public var logits: UnsafePointer<Float> { UnsafePointer(logitBuffer.pointer) }
}
