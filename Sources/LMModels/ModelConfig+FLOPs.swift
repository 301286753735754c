import LMSettings

/// The arithmetic of training a model, for throughput figures (`lm-bench`).
extension ModelConfig {
    /// Multiply-adds × 2 per target token for one forward and backward pass, with the input
    /// counted as a dense (one-hot) product as d2l computes it:
    /// forward Σ_l 2·in_l·GH_l + 2·H_l·GH_l, + 2·H·V (head, H the top width); backward Σ_l
    /// (2·in_l·GH_l weight gradient, + 2·in_l·GH_l input gradient for l > 0 or an embedding) +
    /// 2·2·H_l·GH_l (recurrent input and weight gradients), + 2·2·H·V (head); in_l is the
    /// input width of layer l (H_{l−1} above the first); embedding lookups are free.
    /// Element-wise work is not counted. RNN-512, vocab 28: 1.716 MFLOP. A tied head runs the
    /// same products on the embedding (Eᵀ for W_hq), so the count does not change with ``tied``.
    /// It counts the dense head even with ``adaptiveSoftmax``, whose cost depends on how many
    /// targets fall in each cluster.
    /// - Throws: ``SettingsError`` for a kind no cell is registered for.
    public var flopsPerToken: Double {
        get throws {
            let gates = Double(try CellRegistry.definition(of: kind).gateCount)
            let top = Double(hiddenSize), v = Double(vocabularySize)
            var total = 2 * top * v + 4 * top * v
            for (i, run) in layerRuns.enumerated() {
                let input = Double(run.input), h = Double(run.hidden), gh = gates * h
                let inputGradient = i > 0 || embeddingSize != nil
                var layer = 2 * input * gh + 2 * h * gh             // forward
                layer += 2 * input * gh + 4 * h * gh                // backward: weights + recurrence
                if inputGradient { layer += 2 * input * gh }
                total += Double(run.count) * layer
            }
            return total
        }
    }
}
