import LMTensor

extension LanguageModelStepState {
    /// Row `r` back to the zero state (every layer's carried tensors), as a sequence that
    /// joins a batch between steps starts.
    public func zeroRow(_ r: Int) {
        precondition(r >= 0 && r < batch, "row \(r) outside 0..<\(batch)")
        for layer in layers {
            for c in layer.carried { c.zero(r * layer.hidden..<(r + 1) * layer.hidden) }
            layer.holdsNextProduct = false
        }
    }

    /// Row `destination` takes row `source`'s state (every layer's carried tensors): how a
    /// batch closes the hole a finished sequence leaves.
    public func copyRow(_ source: Int, to destination: Int) {
        precondition(source >= 0 && source < batch && destination >= 0 && destination < batch,
                     "rows \(source), \(destination) outside 0..<\(batch)")
        guard source != destination else { return }
        for layer in layers {
            let h = layer.hidden
            for c in layer.carried { (c.pointer + destination * h).update(from: c.pointer + source * h, count: h) }
            layer.holdsNextProduct = false
        }
    }
}
