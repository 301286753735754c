import LMTensor

/// A parameter whose gradient is zero outside some of its rows: an untied embedding after a
/// window's backward, written only in the rows of the window's token ids (the scatter-add of
/// ``InputLayer/backward()``). A training step may then zero, measure and update those rows
/// alone: the other rows' gradient is exactly 0, so the update leaves them exactly as they are.
public struct RowSparseGradient<Scalar: TensorScalar> {
    /// The parameter (rows × cols).
    public let parameter: Parameter<Scalar>
    /// The rows that may be non-zero, ascending, each once.
    public let rows: [Int]

    /// A gradient of `parameter` that is zero outside `rows` (ascending, distinct).
    public init(parameter: Parameter<Scalar>, rows: [Int]) {
        self.parameter = parameter
        self.rows = rows
    }
}
