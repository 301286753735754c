import LMTensor

/// The input a recurrent layer reads for a window of `steps × batch` positions (t-major:
/// row t·batch + b), or for one step of `batch` sequences (row b).
public enum CellInput<Scalar: TensorScalar> {
    /// Token ids, read as one-hot vectors: the input projection X·W_xh is a row gather of
    /// W_xh (the same math as d2l's one-hot matmul, without the multiply).
    case tokens(UnsafePointer<Int32>)
    /// Dense rows of `inputSize` values (an embedding or the layer below's outputs).
    case dense(UnsafePointer<Scalar>)
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
///
/// For generation, a cell also runs single steps of a few sequences on a state of its own
/// (``makeStepState(batch:)``, ``step(input:state:schedule:)``): each product is a vector ×
/// matrix on the weights in place, where the window's m = batch products would pack them.
/// ``referenceStep(input:state:)`` is the same step with each gate's pre-activation in plain
/// loops in `Double`, the readable definition the fast paths are tested against.
///
/// A cell's element-wise math (each gate's activation, the new state, and their gradients)
/// is written once in its own file, as static functions over ``Lanes`` with ``LaneKernel``
/// rows: the window forward and backward, the single step and the reference step all run it
/// (16-lane SIMD blocks for `Float`, single `Double` lanes for the reference and the gradient
/// checks).
public protocol RecurrentCell<Scalar>: AnyObject {
    associatedtype Scalar: TensorScalar
    /// The kind this cell is a layer of, which states its shape (``gateCount``, ``stateCount``).
    associatedtype Definition: CellDefinition
    /// Width of each input row (vocabulary size for one-hot input).
    var inputSize: Int { get }
    /// Hidden units H.
    var hiddenSize: Int { get }
    /// Gate blocks G, as the kind's definition says (the default).
    var gateCount: Int { get }
    /// State tensors carried between windows, 1 (h) or 2 (h, c), as the kind's definition
    /// says (the default).
    var stateCount: Int { get }
    /// This layer's parameters: W_xh, W_hh, b_h (and b_hh when the layer has two biases).
    var parameters: [Parameter<Scalar>] { get }
    /// Buffers for the current window shape.
    var workspace: CellWorkspace<Scalar> { get }
    /// Runs the window forward (see the protocol description).
    func forward(input: CellInput<Scalar>, steps: Int, batch: Int)
    /// Runs the window backward; `inputGradient` (T·B × inputSize) is written when non-nil.
    func backward(input: CellInput<Scalar>, inputGradient: UnsafeMutablePointer<Scalar>?)

    /// A zero state, and the step's scratch, for single steps of `batch` sequences (the
    /// default suits cells whose scratch is one H-wide row).
    func makeStepState(batch: Int) -> CellStepState<Scalar>
    /// One time step of the state's first ``CellStepState/rows`` sequences: reads `input` (one
    /// token id, or one dense row of ``inputSize`` values, per sequence), advances `state` in
    /// place and leaves the new hidden rows in ``CellStepState/output``. Products through
    /// ``TensorScalar/vectorMatrix(_:_:rows:cols:stride:into:schedule:)`` for one sequence, and
    /// for several through ``TensorScalar/vectorMatrixRows(count:_:xStride:_:rows:cols:stride:into:yStride:schedule:)``
    /// (each weight matrix read once per group of rows), so every row gets the bits it gets
    /// stepped alone; no allocation.
    func step(input: CellInput<Scalar>, state: CellStepState<Scalar>, schedule: VectorMatrix.Schedule)
    /// The step of one sequence with token input, reordered to run `alongside` (work on
    /// this step's output, such as the output head) in the same parallel pass as a product
    /// of the next step, when the cell can. Returns false, doing nothing, when it cannot
    /// (the default); the caller then runs ``step(input:state:schedule:)`` and its work in turn.
    /// The new state has the bits ``step(input:state:schedule:)`` gives it.
    func overlappedStep(token: Int32, state: CellStepState<Scalar>, schedule: VectorMatrix.Schedule,
                        alongside work: () -> Void) -> Bool
    /// The readable definition of one step of one sequence: each gate's pre-activation in
    /// plain loops in `Double`, then the cell's element-wise math at `Double` lanes: `input`
    /// is the layer's input vector (a one-hot vector for token input),
    /// `state` the carried state ([h], or [h, c] for an LSTM, H values each); returns the new
    /// state, whose first element is the layer's output.
    func referenceStep(input: [Double], state: [[Double]]) -> [[Double]]
}

extension RecurrentCell {
    public var gateCount: Int { Definition.gateCount }
    public var stateCount: Int { Definition.stateCount }

    /// ``stateCount`` zero buffers of batch × H, batch rows of G·H gates and of H scratch.
    public func makeStepState(batch: Int) -> CellStepState<Scalar> {
        CellStepState(batch: batch, hidden: hiddenSize, stateCount: stateCount, gates: gateCount)
    }

    /// No overlapped step: the caller runs the plain one.
    public func overlappedStep(token: Int32, state: CellStepState<Scalar>, schedule: VectorMatrix.Schedule,
                               alongside work: () -> Void) -> Bool {
        false
    }
}

// MARK: - Shared parts of every cell's window pass

/// Fills `gates` (T·B × G·H) with the input projection X·W_xh + b_h (+ b_hh, the second
/// bias of PyTorch's cells, when the layer has one) for all steps at once: a row gather for
/// token input, one large product for dense input.
@inline(__always)
func inputProjection<T: TensorScalar>(
    _ input: CellInput<T>, rows: Int, inputSize: Int, width: Int,
    weight: Parameter<T>, bias: Parameter<T>, recurrentBias: Parameter<T>?, into gates: UnsafeMutablePointer<T>
) {
    let w = weight.value.pointer, b = bias.value.pointer
    switch input {
    case .tokens(let ids):
        WorkerPool.shared.parallelRows(rows, width: width) { block in
            if let bhh = recurrentBias?.value.pointer {
                for r in block {
                    let src = w + Int(ids[r]) * width, dst = gates + r * width
                    for j in 0..<width { dst[j] = src[j] + b[j] + bhh[j] }
                }
                return
            }
            for r in block {
                let src = w + Int(ids[r]) * width, dst = gates + r * width
                for j in 0..<width { dst[j] = src[j] + b[j] }
            }
        }
    case .dense(let x):
        WorkerPool.shared.parallelRows(rows, width: width) { block in
            for r in block { (gates + r * width).update(from: b, count: width) }
            if let bhh = recurrentBias?.value.pointer {
                for r in block {
                    let dst = gates + r * width
                    for j in 0..<width { dst[j] += bhh[j] }
                }
            }
        }
        T.gemm(transposeA: false, transposeB: false, m: rows, n: width, k: inputSize,
               alpha: 1, a: x, lda: inputSize, b: w, ldb: width, beta: 1, c: gates, ldc: width)
    }
}

/// Accumulates the input-side gradients from the gate gradients dG (T·B × G·H):
/// b_h (and b_hh, when the layer has one: the same sums) += column sums of dG;
/// W_xh += Xᵀ·dG (a scatter-add of rows for token input); and, when requested,
/// ∂loss/∂X = dG · W_xhᵀ.
@inline(__always)
func inputBackward<T: TensorScalar>(
    _ input: CellInput<T>, rows: Int, inputSize: Int, width: Int,
    weight: Parameter<T>, bias: Parameter<T>, recurrentBias: Parameter<T>?, gateGradients dg: UnsafeMutablePointer<T>,
    inputGradient: UnsafeMutablePointer<T>?
) {
    let db = bias.gradient.pointer
    let dbhh = recurrentBias?.gradient.pointer
    // Column blocks per thread: rows with the same token id then never race on a W_xh row.
    WorkerPool.shared.parallelColumns(width, rows: rows) { cols in
        for r in 0..<rows {
            let g = dg + r * width
            for j in cols { db[j] += g[j] }
        }
        if let dbhh {
            for r in 0..<rows {
                let g = dg + r * width
                for j in cols { dbhh[j] += g[j] }
            }
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

// MARK: - Shared parts of every cell's single step

/// Starts the step of sequence `b`: g (`width` values) = x_b · W_xh + b_h (+ b_hh), a row of
/// W_xh for token input (as ``inputProjection(_:rows:inputSize:width:weight:bias:recurrentBias:into:)``,
/// in the same order of operations).
@inline(__always)
func stepInputProjection<T: TensorScalar>(
    _ input: CellInput<T>, sequence b: Int, inputSize: Int, width: Int,
    weight: Parameter<T>, bias: Parameter<T>, recurrentBias: Parameter<T>?, into g: UnsafeMutablePointer<T>,
    schedule: VectorMatrix.Schedule
) {
    let w = weight.value.pointer, bh = bias.value.pointer
    switch input {
    case .tokens(let ids):
        let row = w + Int(ids[b]) * width
        if let bhh = recurrentBias?.value.pointer {
            for j in 0..<width { g[j] = row[j] + bh[j] + bhh[j] }
        } else {
            for j in 0..<width { g[j] = row[j] + bh[j] }
        }
    case .dense(let x):
        startWithBiases(g, bias: bias, recurrentBias: recurrentBias, width: width)
        T.vectorMatrix(x + b * inputSize, w, rows: inputSize, cols: width, stride: width, into: g, schedule: schedule)
    }
}

/// g (`width` values) = b_h (+ b_hh): a dense input projection's start.
@inline(__always)
private func startWithBiases<T: TensorScalar>(_ g: UnsafeMutablePointer<T>, bias: Parameter<T>, recurrentBias: Parameter<T>?,
                                              width: Int) {
    g.update(from: bias.value.pointer, count: width)
    if let bhh = recurrentBias?.value.pointer { for j in 0..<width { g[j] += bhh[j] } }
}

/// ``stepInputProjection(_:sequence:inputSize:width:weight:bias:recurrentBias:into:schedule:)``
/// for sequences 0..<rows at once, into `gates` (rows × `width`): for dense input one
/// multi-row product (``TensorScalar/vectorMatrixRows(count:_:xStride:_:rows:cols:stride:into:yStride:schedule:)``,
/// W_xh read once per group of rows); every row gets the bits the single-sequence step gives it.
@inline(__always)
func stepInputProjections<T: TensorScalar>(
    _ input: CellInput<T>, rows: Int, inputSize: Int, width: Int,
    weight: Parameter<T>, bias: Parameter<T>, recurrentBias: Parameter<T>?, into gates: UnsafeMutablePointer<T>,
    schedule: VectorMatrix.Schedule
) {
    switch input {
    case .tokens:
        for b in 0..<rows {
            stepInputProjection(input, sequence: b, inputSize: inputSize, width: width, weight: weight, bias: bias,
                                recurrentBias: recurrentBias, into: gates + b * width, schedule: schedule)
        }
    case .dense(let x):
        for b in 0..<rows { startWithBiases(gates + b * width, bias: bias, recurrentBias: recurrentBias, width: width) }
        T.vectorMatrixRows(count: rows, x, xStride: inputSize, weight.value.pointer, rows: inputSize, cols: width, stride: width,
                           into: gates, yStride: width, schedule: schedule)
    }
}

/// The reference steps' building block: the pre-activation of gate `g` for one sequence,
/// x · W_x,g + h · W_h,g + b_g (+ b_hh,g), where gate g's own weights are the columns
/// [g·H, (g+1)·H) of the gate-concatenated W_xh, W_hh, b_h and b_hh. Plain loops in `Double`.
func referenceGate<T: TensorScalar>(_ g: Int, x: [Double], h: [Double], inputWeight wx: Parameter<T>,
                                    recurrentWeight wh: Parameter<T>, bias b: Parameter<T>,
                                    recurrentBias bhh: Parameter<T>?, hidden: Int) -> [Double] {
    (0..<hidden).map { j in
        let column = g * hidden + j
        var sum = 0.0
        for i in 0..<x.count { sum += x[i] * Double(wx.value[i * wx.cols + column]) }
        for i in 0..<h.count { sum += h[i] * Double(wh.value[i * wh.cols + column]) }
        return sum + Double(b.value[column]) + (bhh.map { Double($0.value[column]) } ?? 0)
    }
}

/// Creates the three parameters of a gate-concatenated layer.
func makeLayerParameters<T: TensorScalar>(prefix: String, inputSize: Int, hidden: Int, gates: Int)
    -> (wx: Parameter<T>, wh: Parameter<T>, b: Parameter<T>) {
    (Parameter(name: prefix + ".W_xh", rows: inputSize, cols: gates * hidden),
     Parameter(name: prefix + ".W_hh", rows: hidden, cols: gates * hidden),
     Parameter(name: prefix + ".b_h", rows: 1, cols: gates * hidden, vector: true))
}

/// The second bias of a layer with two per gate (PyTorch's b_hh), `<prefix>.b_hh`, 1 × G·H,
/// or nil when `present` is false.
func makeRecurrentBias<T: TensorScalar>(prefix: String, hidden: Int, gates: Int, present: Bool) -> Parameter<T>? {
    present ? Parameter(name: prefix + ".b_hh", rows: 1, cols: gates * hidden, vector: true) : nil
}

