import LMTensor

/// The input a recurrent layer reads for a window of `steps × batch` positions (t-major:
/// row t·batch + b).
public enum CellInput<Scalar: TensorScalar> {
    /// Token ids, read as one-hot vectors: the input projection X·W_xh is a row gather of
    /// W_xh (the same math as d2l's one-hot matmul, without the multiply).
    case tokens(UnsafePointer<Int32>)
    /// Dense rows of `inputSize` values (an embedding or the layer below's outputs).
    case dense(UnsafePointer<Scalar>)
}

/// Test-only faults that break one backward term, to show the gradient check catches it.
enum BackwardFault: Sendable {
    case none
    /// Drop the recurrent term dH_{t−1} += dG_t · W_hhᵀ (gradient through the hidden state).
    case dropRecurrentTerm
}

/// One recurrent layer run over a window of T steps with batch B, with hand-written
/// backpropagation through time.
///
/// Weights are stored gate-concatenated: `W_xh` is inputSize × (G·H), `W_hh` is H × (G·H),
/// `b_h` is 1 × (G·H), with gate blocks in the order of the conforming cell (GRU: r, z, h̃;
/// LSTM: i, f, o, c̃). All buffers live in a ``CellWorkspace`` sized once per (T, B).
///
/// Protocol for a cell:
/// 1. ``forward(input:steps:batch:)`` reads the carried state, writes every step's output
///    rows (``CellWorkspace/outputs``) and carries the final state out;
/// 2. the layer above writes ∂loss/∂outputs into ``CellWorkspace/outputGradients``;
/// 3. ``backward(input:inputGradient:)`` runs through time, accumulates into every
///    parameter's gradient and, if asked, writes ∂loss/∂input (beta 0).
/// The carried state is detached: no gradient flows into the previous window.
public protocol RecurrentCell<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    /// Width of each input row (vocabulary size for one-hot input).
    var inputSize: Int { get }
    /// Hidden units H.
    var hiddenSize: Int { get }
    /// Gate blocks G (1, 3, 4).
    var gateCount: Int { get }
    /// State tensors carried between windows: 1 (h) or 2 (h, c).
    var stateCount: Int { get }
    /// This layer's parameters: W_xh, W_hh, b_h.
    var parameters: [Parameter<Scalar>] { get }
    /// Buffers for the current window shape.
    var workspace: CellWorkspace<Scalar> { get }
    /// Runs the window forward (see the protocol description).
    func forward(input: CellInput<Scalar>, steps: Int, batch: Int)
    /// Runs the window backward; `inputGradient` (T·B × inputSize) is written when non-nil.
    func backward(input: CellInput<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>?)
}

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
    /// B × H scratch (GRU: ∂(R ⊙ H); LSTM: the cell-state gradient carry).
    private(set) var scratch = Buffer<Scalar>(count: 0)
    /// The state carried between windows: stateCount buffers of B × H.
    var carried: [Buffer<Scalar>] = []
    /// W_hhᵀ (G·H × H), refreshed at the start of each backward pass, so the per-step
    /// products dG · W_hhᵀ run through the same unpacked kernel as the forward steps.
    let transposedRecurrent: Buffer<Scalar>

    init(hidden: Int, gates: Int, stateCount: Int) {
        self.hidden = hidden
        self.gates = gates
        self.stateCount = stateCount
        transposedRecurrent = Buffer(count: hidden * gates * hidden)
    }

    /// Fills ``transposedRecurrent`` from W_hh (H × G·H) and returns it.
    func transposeRecurrent(_ w: Parameter<Scalar>) -> UnsafeMutablePointer<Scalar> {
        let rows = hidden, cols = gates * hidden, dst = transposedRecurrent.pointer, src = w.value.pointer
        // Blocks of 16 × 16 keep both sides in cache; destination row blocks split across threads.
        parallelRows((cols + 15) / 16, width: 16 * rows) { blocks in
            for jb in blocks {
                let j0 = jb * 16, j1 = min(j0 + 16, cols)
                var i0 = 0
                while i0 < rows {
                    let i1 = min(i0 + 16, rows)
                    for j in j0..<j1 {
                        let d = dst + j * rows
                        for i in i0..<i1 { d[i] = src[i * cols + j] }
                    }
                    i0 = i1
                }
            }
        }
        return dst
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
        scratch = Buffer(count: bh)
    }

    /// Outputs h_1…h_T of the last forward, T·B × H rows (t-major).
    public var outputs: UnsafeMutablePointer<Scalar> { states.pointer + batch * hidden }
    /// Where the layer above writes ∂loss/∂outputs (T·B × H) before ``RecurrentCell/backward(input:inputGradient:)``.
    public var outputGradients: UnsafeMutablePointer<Scalar> { outputGradientBuffer.pointer }
}

// MARK: - Shared parts of every cell's window pass

/// Fills `gates` (T·B × G·H) with the input projection X·W_xh + b_h for all steps at once:
/// a row gather for token input, one large product for dense input.
@inline(__always)
func inputProjection<T: TensorScalar>(
    _ input: CellInput<T>, rows: Int, inputSize: Int, width: Int,
    weight: Parameter<T>, bias: Parameter<T>, into gates: UnsafeMutablePointer<T>
) {
    let w = weight.value.pointer, b = bias.value.pointer
    switch input {
    case .tokens(let ids):
        parallelRows(rows, width: width) { block in
            for r in block {
                let src = w + Int(ids[r]) * width, dst = gates + r * width
                for j in 0..<width { dst[j] = src[j] + b[j] }
            }
        }
    case .dense(let x):
        parallelRows(rows, width: width) { block in
            for r in block { (gates + r * width).update(from: b, count: width) }
        }
        T.gemm(transposeA: false, transposeB: false, m: rows, n: width, k: inputSize,
               alpha: 1, a: x, lda: inputSize, b: w, ldb: width, beta: 1, c: gates, ldc: width)
    }
}

/// Accumulates the input-side gradients from the gate gradients dG (T·B × G·H):
/// b_h += column sums of dG; W_xh += Xᵀ·dG (a scatter-add of rows for token input);
/// and, when requested, ∂loss/∂X = dG · W_xhᵀ.
@inline(__always)
func inputBackward<T: TensorScalar>(
    _ input: CellInput<T>, rows: Int, inputSize: Int, width: Int,
    weight: Parameter<T>, bias: Parameter<T>, gateGradients dg: UnsafeMutablePointer<T>,
    inputGradient: UnsafeMutablePointer<T>?
) {
    let db = bias.gradient.pointer
    // Column blocks per thread: rows with the same token id then never race on a W_xh row.
    parallelColumns(width, rows: rows) { cols in
        for r in 0..<rows {
            let g = dg + r * width
            for j in cols { db[j] += g[j] }
        }
        if case .tokens(let ids) = input {
            let dw = weight.gradient.pointer
            for r in 0..<rows {
                let g = dg + r * width, dst = dw + Int(ids[r]) * width
                for j in cols { dst[j] += g[j] }
            }
        }
    }
    switch input {
    case .tokens:
        break
    case .dense(let x):
        T.gemm(transposeA: true, transposeB: false, m: inputSize, n: width, k: rows,
               alpha: 1, a: x, lda: inputSize, b: dg, ldb: width, beta: 1,
               c: weight.gradient.pointer, ldc: width)
        if let dx = inputGradient {
            T.gemm(transposeA: false, transposeB: true, m: rows, n: inputSize, k: width,
                   alpha: 1, a: dg, lda: width, b: weight.value.pointer, ldb: width, beta: 0,
                   c: dx, ldc: inputSize)
        }
    }
}

/// Creates the three parameters of a gate-concatenated layer.
func makeLayerParameters<T: TensorScalar>(prefix: String, inputSize: Int, hidden: Int, gates: Int)
    -> (wx: Parameter<T>, wh: Parameter<T>, b: Parameter<T>) {
    (Parameter(name: prefix + ".W_xh", rows: inputSize, cols: gates * hidden),
     Parameter(name: prefix + ".W_hh", rows: hidden, cols: gates * hidden),
     Parameter(name: prefix + ".b_h", rows: 1, cols: gates * hidden, vector: true))
}

/// Element-wise passes over fewer elements than this run on the calling thread (tests lower
/// it to exercise the parallel path at small sizes).
nonisolated(unsafe) var parallelElementThreshold = 8192

/// Runs `body` over blocks of `rows` rows (each `width` elements wide) on the shared
/// ``WorkerPool``, or inline when the work is too small to pay for a hand-off (~1 µs).
@inline(__always)
func parallelRows(_ rows: Int, width: Int, _ body: (Range<Int>) -> Void) {
    let pool = WorkerPool.shared
    let parts = min(pool.width, BLAS.threads)
    if parts <= 1 || rows < 2 || rows * width < parallelElementThreshold {
        body(0..<rows)
        return
    }
    pool.run(parts: parts) { p in
        let chunk = (rows + parts - 1) / parts
        let lo = min(p * chunk, rows), hi = min(lo + chunk, rows)
        if lo < hi { body(lo..<hi) }
    }
}

/// Runs `body` over blocks of `width` columns (multiples of 16) on the shared
/// ``WorkerPool``, for passes over `rows` rows whose rows may collide (scatter-adds).
@inline(__always)
func parallelColumns(_ width: Int, rows: Int, _ body: (Range<Int>) -> Void) {
    let pool = WorkerPool.shared
    let parts = min(pool.width, BLAS.threads)
    if parts <= 1 || width < 32 || rows * width < parallelElementThreshold {
        body(0..<width)
        return
    }
    pool.run(parts: parts) { p in
        let chunk = ((width + parts - 1) / parts + 15) / 16 * 16
        let lo = min(p * chunk, width), hi = min(lo + chunk, width)
        if lo < hi { body(lo..<hi) }
    }
}
