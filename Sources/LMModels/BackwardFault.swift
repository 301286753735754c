import LMTensor

/// Test-only faults that break one backward term, to show the gradient check catches it
/// (``RecurrentNetwork/injectFault(_:)``).
///
/// The cells and the input layer know nothing of them: a fault breaks a whole layer's
/// window backward from outside, around it (``layerBackward(_:_:)``, ``inputBackward(_:_:)``),
/// by what that backward reads or by putting a gradient back; the dropout masks' faults skip
/// a mask at the network's window level, as the activation regularization's faults break its
/// gradient there; the heads' two faults sit in the heads' backward.
/// With ``none`` each seam runs the backward as it is.
enum BackwardFault: Sendable {
    case none
    /// Drop the recurrent term dH_{t−1} += dG_t · W_hhᵀ (gradient through the hidden state).
    case dropRecurrentTerm
    /// With a tied head: drop the head's contribution dE += dLᵀ · H to the embedding gradient.
    case dropTiedHeadTerm
    /// With a tied head: drop the input layer's scatter-add into the embedding gradient.
    case dropTiedInputTerm
    /// With two biases per gate: leave b_hh's gradient out.
    case dropRecurrentBiasGradient
    /// PyTorch's GRU with b_hh: give b_hh's candidate block b_h's gradient dN_pre instead of
    /// R ⊙ dN_pre (as if b_hn sat outside the reset gate).
    case candidateBiasGradientWithoutReset
    /// Skip the input dropout mask in backward (the embedding output's gradient).
    case skipInputMask
    /// Skip the between-layer dropout mask in backward.
    case skipHiddenMask
    /// Skip the output dropout mask in backward (the top layer's output gradient).
    case skipOutputMask
    /// Scatter the embedding gradient without the row scales of embedding dropout.
    case skipEmbeddingMask
    /// Add dW̃_hh to the W_hh gradient without the weight-drop mask.
    case skipWeightMask
    /// An adaptive softmax head: leave the clusters' terms out of ∂hidden.
    case dropAdaptiveClusterTerm
    /// AR's gradient without the factor 2 of ∂D²: α/N · D instead of 2α/N · D.
    case halfARGradient
    /// TAR's gradient on R_{t+1} only, leaving out its −(R_{t+1} − R_t) term on R_t.
    case oneSidedTARGradient
}

extension BackwardFault {
    /// Runs `backward`, one layer's window backward, broken as the fault says.
    func layerBackward<Scalar: TensorScalar>(_ cell: any RecurrentCell<Scalar>, _ backward: () -> Void) {
        switch self {
        case .dropRecurrentTerm:
            // The backward reads W_hh only for its products into dH_{t−1}, through the window's
            // recurrent weights: give it W_hh with those columns zero. d2l's GRU keeps its
            // candidate block, whose product is ∂(R ⊙ H), not dH_{t−1}.
            let ws = cell.workspace, kept = ws.droppedRecurrent, h = cell.hiddenSize, width = cell.gateCount * h
            let broken = Buffer<Scalar>(count: h * width)
            broken.pointer.update(from: ws.recurrentWeights(cell.parameters[1]), count: h * width)
            let zeroed = cell is GRUCell<Scalar> ? 2 * h : width
            for i in 0..<h { (broken.pointer + i * width).update(repeating: 0, count: zeroed) }
            ws.droppedRecurrent = broken
            backward()
            ws.droppedRecurrent = kept
        case .dropRecurrentBiasGradient:
            guard cell.parameters.count > 3 else { return backward() }
            let bhh = cell.parameters[3].gradient, saved = bhh.array
            backward()
            try! bhh.assign(saved)
        case .candidateBiasGradientWithoutReset:
            backward()
            guard let c = cell as? GRUResetAfterCell<Scalar>, let bhh = c.recurrentBias else { return }
            // b_hh's N block got Σ R ⊙ dN_pre; add Σ (1 − R) ⊙ dN_pre, so it holds Σ dN_pre (the
            // gate gradients' N block holds dN_pre after the backward, the gate values R).
            let ws = c.workspace, h = c.hiddenSize, w = 3 * h, rows = ws.steps * ws.batch
            let db = bhh.gradient.pointer + 2 * h, dg = ws.gateGradients.pointer, g = ws.gateValues.pointer
            for r in 0..<rows { for j in 0..<h { db[j] += dg[r * w + 2 * h + j] * (1 - g[r * w + j]) } }
        default:
            backward()
        }
    }

    /// Runs `backward`, the input layer's (the scatter into the embedding gradient), broken
    /// as the fault says.
    func inputBackward<Input: NetworkInput>(_ input: Input, _ backward: () -> Void) {
        switch self {
        case .dropTiedInputTerm:
            guard let e = input.embedding else { return backward() }
            let saved = e.gradient.array
            backward()
            try! e.gradient.assign(saved)
        case .skipEmbeddingMask:
            guard let scales = (input as? InputLayer<Input.Scalar>)?.rowScales else { return backward() }
            let saved = scales.array
            scales.pointer.update(repeating: 1, count: scales.count)
            backward()
            try! scales.assign(saved)
        default:
            backward()
        }
    }
}
