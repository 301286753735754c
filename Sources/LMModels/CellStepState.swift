import LMTensor

/// One recurrent layer's state between single steps for `batch` sequences, with the scratch
/// a step needs; made by ``RecurrentCell/makeStepState(batch:)`` (zero state) and advanced
/// in place by ``RecurrentCell/step(input:state:schedule:)``. Nothing is reallocated.
///
/// A step runs the first ``rows`` sequences (rows 0..<rows of every buffer); ``zeroRow(_:)``
/// and ``copyRow(_:to:)`` let sequences join and leave between steps.
public final class CellStepState<Scalar: TensorScalar> {
    /// Sequences the state holds (its capacity).
    public let batch: Int
    /// Hidden units H.
    public let hidden: Int
    /// Sequences the next step runs, rows 0..<rows (0...batch; ``batch`` at first).
    public internal(set) var rows: Int
    /// The carried state: one buffer of batch × H rows per state tensor ([h], or [h, c]).
    public let carried: [Buffer<Scalar>]
    /// The gate values, batch rows of G·H (one row when the step runs one sequence).
    let gates: Buffer<Scalar>
    /// Scratch, batch rows of ``scratchWidth`` values (GRU: R ⊙ H; LSTM: tanh(C'); the RNN's
    /// overlapped step, row 0: the next step's H · W_hh; PyTorch's GRU: h W_hh + b_hh, 3H wide).
    let scratch: Buffer<Scalar>
    /// Values per row of ``scratch``.
    let scratchWidth: Int
    /// Whether `scratch` holds H · W_hh of the current state (kept by the RNN's overlapped
    /// step; a plain step, and any change of a row, clears it).
    var holdsNextProduct = true

    /// Zero state for `batch` sequences of a layer with `stateCount` state tensors of
    /// `hidden` units and `gates` gate blocks; the scratch holds `scratchCount` values per
    /// sequence (H when nil).
    public init(batch: Int, hidden: Int, stateCount: Int, gates: Int, scratchCount: Int? = nil) {
        self.batch = batch
        self.hidden = hidden
        rows = batch
        carried = (0..<stateCount).map { _ in Buffer(count: batch * hidden) }
        self.gates = Buffer(count: batch * gates * hidden)
        scratchWidth = scratchCount ?? hidden
        scratch = Buffer(count: batch * scratchWidth)
    }

    /// The layer's output after the last step: the hidden rows h, batch × H.
    public var output: UnsafeMutablePointer<Scalar> { carried[0].pointer }

    /// Back to the zero state, every row.
    public func reset() {
        for c in carried { c.zero() }
        scratch.zero()  // = 0 · W_hh, the product of the zero state
        holdsNextProduct = true
    }

    /// Row `r` back to the zero state (the other rows keep theirs).
    public func zeroRow(_ r: Int) {
        precondition(r >= 0 && r < batch, "row \(r) is outside the state's 0..<\(batch)")
        for c in carried { (c.pointer + r * hidden).update(repeating: 0, count: hidden) }
        holdsNextProduct = false
    }

    /// Row `destination` takes row `source`'s state (`source` keeps it).
    public func copyRow(_ source: Int, to destination: Int) {
        precondition(source >= 0 && source < batch && destination >= 0 && destination < batch,
                     "rows \(source) and \(destination) must be inside the state's 0..<\(batch)")
        guard source != destination else { return }
        for c in carried { (c.pointer + destination * hidden).update(from: c.pointer + source * hidden, count: hidden) }
        holdsNextProduct = false
    }
}
