/// Sequences joining and leaving a batch between steps (a server's batcher): a new sequence
/// takes a free row with ``zeroRow(_:)``; when one leaves, the last active row moves into its
/// place with ``copyRow(_:to:)`` and ``rows`` shrinks by one. A row's logits depend only on
/// its own tokens since its zeroing, never on its row or the other rows.
extension LanguageModelStepState {
    /// Row `r` (0..<``batch``) back to the zero state, as after
    /// ``RecurrentNetwork/resetStepState(_:)``: every layer's carried state, and its logits row
    /// zeroed (it has none until its first step). The other rows keep theirs.
    public func zeroRow(_ r: Int) {
        precondition(r >= 0 && r < batch, "row \(r) is outside the state's 0..<\(batch)")
        for layer in layers { layer.zeroRow(r) }
        let v = vocabularySize
        (logitBuffer.pointer + r * v).update(repeating: 0, count: v)
    }

    /// Row `destination` takes row `source`'s state: every layer's carried state and the
    /// logits of the last step (so a batch can be compacted between a step and the sampling
    /// of its logits). Both in 0..<``batch``; `source` keeps its own.
    public func copyRow(_ source: Int, to destination: Int) {
        precondition(source >= 0 && source < batch && destination >= 0 && destination < batch,
                     "rows \(source) and \(destination) must be inside the state's 0..<\(batch)")
        for layer in layers { layer.copyRow(source, to: destination) }
        let v = vocabularySize
        if source != destination {
            (logitBuffer.pointer + destination * v).update(from: logitBuffer.pointer + source * v, count: v)
        }
    }
}
