import LMSettings

extension ModelConfig {
    /// One run of equally shaped recurrent layers: each reads `input` values per position and
    /// is `hidden` units wide; `count` of them.
    struct LayerRun {
        let input: Int, hidden: Int, count: Int
    }

    /// The recurrent layers as runs of equally shaped ones, bottom first: with equal widths at
    /// most two (the first layer reads the embedding or the one-hot input, the rest the layer
    /// below), however many layers (so sizes computed from settings take no time per layer);
    /// with per-layer widths one run per layer. Empty for fewer than one layer.
    var layerRuns: [LayerRun] {
        let first = embeddingSize ?? vocabularySize
        switch layerWidths {
        case .uniform(let h):
            guard layers > 0 else { return [] }
            return [LayerRun(input: first, hidden: h, count: 1)] + (layers > 1 ? [LayerRun(input: h, hidden: h, count: layers - 1)] : [])
        case .perLayer(let widths):
            return widths.indices.map { LayerRun(input: $0 == 0 ? first : widths[$0 - 1], hidden: widths[$0], count: 1) }
        }
    }
}
