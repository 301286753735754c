import LMTensor

/// The buffers of one recurrent layer for one window shape (T steps, B batch), allocated
/// once per shape and reused for every window: no allocation per time step.
public final class CellWorkspace<Scalar: TensorScalar> {
    /// Steps T and batch B the buffers are sized for.
    public private(set) var steps = 0, batch = 0
    let hidden: Int, gates: Int, stateCount: Int
    /// Hidden states h_0…h_T, (T+1)·B × H; h_0 is the carried-in state.
    private(set) var states = Buffer<Scalar>(count: 0)
    /// LSTM memory cells c_0…c_T, (T+1)·B × H (empty for other cells).
    private(set) var cells = Buffer<Scalar>(count: 0)
    /// Gate pre-activations then activations per step, T·B × G·H.
    private(set) var gateValues = Buffer<Scalar>(count: 0)
    /// ∂loss/∂gate pre-activations, T·B × G·H.
    private(set) var gateGradients = Buffer<Scalar>(count: 0)
    /// Cell-specific per-step values (GRU: R ⊙ H_{t−1}; LSTM: tanh(C_t)), T·B × H.
    private(set) var auxiliary = Buffer<Scalar>(count: 0)
    /// ∂loss/∂h_t for t = 1…T, T·B × H, filled by the layer above, then carries added.
    private(set) var outputGradientBuffer = Buffer<Scalar>(count: 0)
    /// B × (scratchWidth·H) scratch (GRU: ∂(R ⊙ H); LSTM: the cell-state gradient carry;
    /// PyTorch's GRU, 3 wide: the step's H W_hh + b_hh).
    private(set) var scratch = Buffer<Scalar>(count: 0)
    /// Width of ``scratch`` in units of H (1 unless the cell asks for more).
    let scratchWidth: Int
    /// The state carried between windows: stateCount buffers of B × H.
    var carried: [Buffer<Scalar>] = []
    /// W_hhᵀ (G·H × H), refreshed at the start of each backward pass, so the per-step
    /// products dG · W_hhᵀ run through the same unpacked kernel as the forward steps.
    let transposedRecurrent: Buffer<Scalar>

    init(hidden: Int, gates: Int, stateCount: Int, scratchWidth: Int = 1) {
        self.hidden = hidden
        self.scratchWidth = scratchWidth
        self.gates = gates
        self.stateCount = stateCount
        transposedRecurrent = Buffer(count: hidden * gates * hidden)
    }

    /// W̃_hh = W_hh ⊙ M for the current training window under weight drop (set by the
    /// network for each window), or nil: the window's forward and backward then read W_hh.
    var droppedRecurrent: Buffer<Scalar>? = nil

    /// The recurrent weights a window pass reads: ``droppedRecurrent`` when set, else W_hh.
    @inline(__always)
    func recurrentWeights(_ w: Parameter<Scalar>) -> UnsafeMutablePointer<Scalar> {
        droppedRecurrent?.pointer ?? w.value.pointer
    }

    /// Fills ``transposedRecurrent`` from the window's recurrent weights (W_hh, H × G·H, or
    /// ``droppedRecurrent``) and returns it.
    func transposeRecurrent(_ w: Parameter<Scalar>) -> UnsafeMutablePointer<Scalar> {
        Transposition.transpose(recurrentWeights(w), rows: hidden, cols: gates * hidden, into: transposedRecurrent.pointer)
        return transposedRecurrent.pointer
    }

    /// Resizes for (steps, batch) if needed. A batch change resets the carried state to zero.
    func prepare(steps t: Int, batch b: Int) {
        if b != batch || carried.isEmpty {
            carried = (0..<stateCount).map { _ in Buffer(count: b * hidden) }
        }
        guard t != steps || b != batch else { return }
        steps = t
        batch = b
        let bh = b * hidden
        states = Buffer(count: (t + 1) * bh)
        cells = Buffer(count: stateCount > 1 ? (t + 1) * bh : 0)
        gateValues = Buffer(count: t * bh * gates)
        gateGradients = Buffer(count: t * bh * gates)
        auxiliary = Buffer(count: gates > 1 ? t * bh : 0)
        outputGradientBuffer = Buffer(count: t * bh)
        scratch = Buffer(count: bh * scratchWidth)
    }

    /// Outputs h_1…h_T of the last forward, T·B × H rows (t-major).
    public var outputs: UnsafeMutablePointer<Scalar> { states.pointer + batch * hidden }
    /// Where the layer above writes ∂loss/∂outputs (T·B × H) before ``RecurrentCell/backward(input:inputGradient:)``.
    public var outputGradients: UnsafeMutablePointer<Scalar> { outputGradientBuffer.pointer }
}
