/// Rows of a step state reordered in place (beam search keeps its K hypotheses as K rows and
/// moves them between steps).
extension LanguageModelStepState {
    /// Row b takes the carried state (every layer's h, and c for an LSTM) that row
    /// `sources[b]` held before the call; a row may be the source of several, or of none.
    /// The logits and the step's scratch rows are not moved: the next step recomputes them.
    ///
    /// In place, without a second copy of the state: rows are copied in an order that reads
    /// every row before it is overwritten, and each cycle left (a pure permutation of rows) is
    /// rotated by swaps. The order is worked out once per call in `2 × batch` integers on the
    /// stack; nothing is allocated on the heap.
    ///
    /// - Precondition: `sources.count == batch` and every source is in `0 ..< batch`.
    public func gatherRows(_ sources: UnsafeBufferPointer<Int32>) {
        let b = batch
        precondition(sources.count == b, "gatherRows: \(sources.count) sources for \(b) rows")
        for s in sources { precondition(s >= 0 && Int(s) < b, "gatherRows: source row \(s) outside 0..<\(b)") }
        guard (0..<b).contains(where: { Int(sources[$0]) != $0 }) else { return }
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: 2 * b) { scratch in
            let readers = scratch.baseAddress!, queue = scratch.baseAddress! + b
            // readers[r]: rows still to be written that read row r (−1 once r is written or needs nothing).
            for r in 0..<b { readers[r] = 0 }
            for r in 0..<b where Int(sources[r]) != r { readers[Int(sources[r])] += 1 }
            // Rows nobody reads, written first; writing one frees its source when that was its last reader.
            var head = 0, tail = 0
            for r in 0..<b where Int(sources[r]) != r && readers[r] == 0 {
                queue[tail] = Int32(r)
                tail += 1
            }
            while head < tail {
                let r = Int(queue[head])
                head += 1
                let s = Int(sources[r])
                moveRow(from: s, to: r, swapping: false)
                readers[r] = -1
                readers[s] -= 1
                if readers[s] == 0 && Int(sources[s]) != s {
                    queue[tail] = Int32(s)
                    tail += 1
                }
            }
            // What is left is cycles r → sources[r] → …, each row read once: rotate each by swaps.
            for start in 0..<b where Int(sources[start]) != start && readers[start] > 0 {
                var r = start
                while Int(sources[r]) != start {
                    let s = Int(sources[r])
                    moveRow(from: s, to: r, swapping: true)
                    readers[r] = -1
                    r = s
                }
                readers[r] = -1
            }
        }
        for layer in layers { layer.holdsNextProduct = false }   // the RNN's H · W_hh was the old rows'
    }

    /// Copies (or swaps) row `source` into row `destination` of every carried buffer.
    private func moveRow(from source: Int, to destination: Int, swapping: Bool) {
        for layer in layers {
            let h = layer.hidden
            for buffer in layer.carried {
                let from = buffer.pointer + source * h, to = buffer.pointer + destination * h
                if swapping {
                    for j in 0..<h {
                        let t = to[j]
                        to[j] = from[j]
                        from[j] = t
                    }
                } else {
                    to.update(from: from, count: h)
                }
            }
        }
    }
}
