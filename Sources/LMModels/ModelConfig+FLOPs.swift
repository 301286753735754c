import LMSettings

/// The arithmetic of training a model, for throughput figures (`lm-bench`).
extension ModelConfig {
    /// Multiply-adds × 2 per target token for one forward and backward pass, with the input
    /// counted as a dense (one-hot) product as d2l computes it:
    /// forward Σ_l 2·in_l·GH + 2·H·GH, + 2·H·V (head); backward Σ_l (2·in_l·GH weight
    /// gradient, + 2·in_l·GH input gradient for l > 0 or an embedding) + 2·2·H·GH
    /// (recurrent input and weight gradients), + 2·2·H·V (head); embedding lookups are free.
    /// Element-wise work is not counted. RNN-512, vocab 28: 1.716 MFLOP. A tied head runs the
    /// same products on the embedding (Eᵀ for W_hq), so the count does not change with ``tied``.
    /// It counts the dense head even with ``adaptiveSoftmax``, whose cost depends on how many
    /// targets fall in each cluster.
    /// - Throws: ``SettingsError`` for a kind no cell is registered for.
    public var flopsPerToken: Double {
        get throws {
            let gates = try CellRegistry.definition(of: kind).gateCount
            let gh = Double(gates * hiddenSize), h = Double(hiddenSize), v = Double(vocabularySize)
            var total = 2 * h * v + 4 * h * v
            for l in 0..<layers {
                let input = Double(l == 0 ? (embeddingSize ?? vocabularySize) : hiddenSize)
                let inputGradient = l > 0 || embeddingSize != nil
                total += 2 * input * gh + 2 * h * gh               // forward
                total += 2 * input * gh + 4 * h * gh                // backward: weights + recurrence
                if inputGradient { total += 2 * input * gh }
            }
            return total
        }
    }
}
