import LMSettings

/// The memory a recurrent language model and its training workspace take, from the
/// configuration alone, so a run can be refused before anything is allocated.
///
/// Counts what the buffers get (`Float`, 4 bytes a value): every parameter's value and
/// gradient, the optimizer's per-parameter copies, each layer's window workspace for T steps
/// × B sequences (states, LSTM cells, gates and their gradients, auxiliary values, output
/// gradients, scratch, carried state, W_hhᵀ), the output head's logits (T·B × V, which the
/// training step's loss overwrites with their gradient; an adaptive softmax head's training
/// buffers instead) and, with an
/// embedding, the embedded inputs and their gradients; with
/// dropout, each place's mask and masked values, the embedding's row scales and, per layer,
/// the weight-drop mask, W̃_hh and the saved W_hh gradient.
public struct MemoryEstimate: Sendable, Equatable {
    /// Values in the parameters (weights and biases; a tied model's embedding counted once).
    public let parameterCount: Int
    /// Bytes of parameter values, gradients and optimizer state.
    public let parameters: Int
    /// Bytes of the recurrent layers' window workspaces.
    public let workspace: Int
    /// Bytes of the output head's logits (dense; their gradient is written over them) or its
    /// training buffers (adaptive).
    public let head: Int
    /// Bytes of the embedded inputs and their gradients (0 for one-hot input).
    public let input: Int

    /// All of it, in bytes (``unbounded`` when the sum does not fit in an `Int`).
    public var total: Int { add(parameters, workspace, head, input) }

    /// The count every part saturates at: a size that does not fit in an `Int` (no machine has it).
    public static let unbounded = Int.max

    /// The product of `values`, or ``unbounded`` when it overflows (negative factors count as
    /// 0): for sizes computed from settings before they reach an allocation.
    public static func product(_ values: Int...) -> Int { checkedProduct(values) }

    /// The sum of `values`, or ``unbounded`` when it overflows (negative terms count as 0).
    public static func sum(_ values: Int...) -> Int { checkedSum(values) }

    /// The estimate for `config` trained on windows of `steps` × `batch` with an optimizer
    /// that keeps `optimizerCopies` values per parameter (SGD 0, Adam 2, RMSProp 1, or 2 with
    /// momentum); `scalarBytes` is 4 for `Float`. Every product and sum is overflow-checked and
    /// saturates at ``unbounded``; the time taken does not grow with the layer count.
    /// - Throws: ``SettingsError`` for a kind no cell is registered for.
    public init(config: ModelConfig, steps: Int, batch: Int, optimizerCopies: Int = 0, scalarBytes: Int = 4) throws {
        let v = config.vocabularySize, h = config.hiddenSize, runs = config.layerRuns
        let cell = try CellRegistry.definition(of: config.kind)
        let gates = cell.gateCount, stateCount = cell.stateCount
        // output.W_hq (none when tied: the head reads the embedding), output.b_q; adaptive:
        // output.head.W and each cluster's projection and map. The head reads the top layer (h).
        var count = add(config.tied ? 0 : mul(h, v), v)
        if let a = config.adaptiveSoftmax {
            count = mul(h, a.headSize)
            for i in 0..<a.clusterCount {
                let d = a.projectionSize(i, hiddenSize: h)
                count = add(count, mul(h, d), mul(d, a.clusterRange(i, vocabularySize: v).count))
            }
        }
        if let e = config.embeddingSize { count = add(count, mul(v, e)) }
        // Each layer: W_xh (input × G·H_l), W_hh (H_l × G·H_l), b_xh, b_hh; the first layer reads
        // the embedding or the one-hot input, the others the layer below.
        for run in runs {
            let width = mul(gates, run.hidden)
            count = add(count, mul(add(mul(run.input, width), mul(run.hidden, width), width, config.recurrentBias ? width : 0), run.count))
        }
        parameterCount = count
        parameters = mul(count, add(2, optimizerCopies), scalarBytes)

        let n = mul(steps, batch), d = config.dropout, maskRows = d.locked ? batch : n
        func site(_ p: Double, _ w: Int) -> Int { p > 0 ? add(mul(maskRows, w), mul(n, w)) : 0 }
        // Per layer: its workspace; the weight-drop mask, W̃_hh and saved gradient; below the
        // top, the mask between it and the next layer.
        var layerBytes = 0
        for (i, run) in runs.enumerated() {
            let hl = run.hidden, width = mul(gates, hl), bh = mul(batch, hl), states = mul(add(steps, 1), bh)
            let perLayer = add(mul(hl, width),                     // W_hhᵀ
                               states,                             // states
                               stateCount > 1 ? states : 0,        // LSTM cells
                               mul(2, n, width),                   // gate values and gradients
                               gates > 1 ? mul(n, hl) : 0,         // auxiliary
                               mul(n, hl),                         // output gradients
                               mul(cell.scratchWidth(for: config), bh),  // scratch
                               mul(stateCount, bh),                // carried state
                               d.weightDrop > 0 ? mul(3, hl, width) : 0)
            let below = i == runs.count - 1 ? run.count - 1 : run.count   // layers of the run with a layer above
            layerBytes = add(layerBytes, mul(perLayer, run.count), mul(site(d.hidden, hl), below))
        }
        workspace = mul(add(layerBytes, site(d.output, h)), scalarBytes)
        if let a = config.adaptiveSoftmax {
            // Head logits and gradients, gathered rows and their gradients (n × H each),
            // projections and their gradients (n × widest d), cluster logits and their
            // gradients (n × largest cluster).
            let clusters = 0..<a.clusterCount
            let d = clusters.map { a.projectionSize($0, hiddenSize: h) }.max() ?? 0
            let s = clusters.map { a.clusterRange($0, vocabularySize: v).count }.max() ?? 0
            head = mul(add(mul(2, n, a.headSize), mul(2, n, h), mul(2, n, d), mul(2, n, s)), scalarBytes)
        } else {
            // The logits: a training step's loss writes their gradient over them.
            head = mul(n, v, scalarBytes)
        }
        input = config.embeddingSize.map {
            mul(add(mul(2, n, $0), site(d.input, $0), d.embedding > 0 ? v : 0), scalarBytes)
        } ?? 0
    }

    /// The largest part, for telling the user what to lower: "parameters", "workspace",
    /// "head" or "input".
    public var largestPart: String {
        [("parameters", parameters), ("workspace", workspace), ("head", head), ("input", input)]
            .max { $0.1 < $1.1 }!.0
    }

    /// A byte count for people: "1.5 GB", "820 MB".
    public static func format(_ bytes: Int) -> String {
        if bytes == unbounded { return "more than 9.2 EB" }
        let value = Double(bytes)
        if value >= 1e9 { return String(format: "%.1f GB", value / 1e9) }
        if value >= 1e6 { return String(format: "%.0f MB", value / 1e6) }
        return String(format: "%.0f kB", value / 1e3)
    }
}

/// The product, or ``MemoryEstimate/unbounded`` when it overflows (negative factors count as 0).
///
/// Overflow is detected with `multipliedReportingOverflow`, which reports it under
/// `-Ounchecked` too (LMModels is built with it), so no size here ever wraps around.
private func checkedProduct(_ values: [Int]) -> Int {
    var product = 1
    for value in values {
        let (result, overflow) = product.multipliedReportingOverflow(by: max(value, 0))
        if overflow { return MemoryEstimate.unbounded }
        product = result
    }
    return product
}

/// The sum, or ``MemoryEstimate/unbounded`` when it overflows (negative terms count as 0);
/// checked with `addingReportingOverflow`, as ``checkedProduct(_:)``.
private func checkedSum(_ values: [Int]) -> Int {
    var sum = 0
    for value in values {
        let (result, overflow) = sum.addingReportingOverflow(max(value, 0))
        if overflow { return MemoryEstimate.unbounded }
        sum = result
    }
    return sum
}

private func mul(_ values: Int...) -> Int { checkedProduct(values) }
private func add(_ values: Int...) -> Int { checkedSum(values) }
