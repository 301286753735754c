import LMTensor

/// A named, trainable tensor with its gradient, both in contiguous, stable storage.
///
/// Every consumer walks the same ``RecurrentLM/parameters`` list: optimizers update
/// `value` from `gradient`, clipping scales the gradients, checkpoints save `value` under
/// `name` with `shape`, and gradient checks perturb `value`. A reference type, shared by the
/// model and whoever holds it; the storage never moves.
public final class Parameter<Scalar: TensorScalar> {
    /// Dotted name, e.g. `rnn.0.W_xh`, `output.b_q`, `embedding.W`.
    public let name: String
    /// Rows of the row-major storage (1 for a bias).
    public let rows: Int
    /// Columns of the row-major storage (the row stride).
    public let cols: Int
    /// Logical shape for checkpoints: `[cols]` for a bias vector, `[rows, cols]` otherwise.
    public let shape: [Int]
    /// The values, `rows × cols` row-major.
    public let value: Buffer<Scalar>
    /// ∂loss/∂value, same layout; ``RecurrentLM/backward()`` accumulates into it. Once the
    /// model is built, a view into the model's ``RecurrentNetwork/gradientStorage``.
    public private(set) var gradient: Buffer<Scalar>

    /// A zero-valued parameter with a zero gradient. `vector` marks a 1 × cols bias, whose
    /// logical shape is `[cols]`.
    public init(name: String, rows: Int, cols: Int, vector: Bool = false) {
        self.name = name
        self.rows = rows
        self.cols = cols
        self.shape = vector ? [cols] : [rows, cols]
        self.value = Buffer(count: rows * cols)
        self.gradient = Buffer(count: rows * cols)
    }

    /// Number of scalars.
    public var count: Int { rows * cols }

    /// Whether this is a bias vector (logical shape `[cols]`).
    public var isVector: Bool { shape.count == 1 }

    /// The values as a matrix (a copy); setting copies in and requires the same shape.
    public var valueMatrix: Matrix<Scalar> {
        get { try! Matrix(rows: rows, cols: cols, storage: value.array) }
        set {
            precondition(newValue.rows == rows && newValue.cols == cols,
                         "Parameter \(name): assigned \(newValue.rows)×\(newValue.cols), expected \(rows)×\(cols)")
            try! value.assign(newValue.storage)
        }
    }

    /// The gradient as a matrix (a copy).
    public var gradientMatrix: Matrix<Scalar> { try! Matrix(rows: rows, cols: cols, storage: gradient.array) }

    /// Sets the gradient to zero.
    public func zeroGradient() { gradient.zero() }

    /// Moves the gradients of `parameters` (each once, in order) into one new contiguous
    /// buffer, each starting on a 64-byte boundary (zero padding between), and returns it:
    /// one allreduce, memset or pass then covers them all.
    public static func poolGradients(_ parameters: [Parameter]) -> Buffer<Scalar> {
        let align = max(1, 64 / MemoryLayout<Scalar>.stride)
        var seen = Set<ObjectIdentifier>(), offsets: [(Parameter, Int)] = [], total = 0
        for p in parameters where seen.insert(ObjectIdentifier(p)).inserted {
            offsets.append((p, total))
            total += (p.count + align - 1) / align * align
        }
        let storage = Buffer<Scalar>(count: total)
        for (p, offset) in offsets {
            let view = Buffer(viewing: storage, offset: offset, count: p.count)
            view.pointer.update(from: p.gradient.pointer, count: p.count)
            p.gradient = view
        }
        return storage
    }
}
