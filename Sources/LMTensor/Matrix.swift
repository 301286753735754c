/// Errors from tensor operations, with the offending shapes or values in the message.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Operand shapes do not fit together (e.g. inner dimensions of a product differ).
    case shapeMismatch(String)
    /// An index (a target class, a token id) lies outside its valid range.
    case indexOutOfRange(String)

    public var description: String {
        switch self {
        case .shapeMismatch(let m): return "shape mismatch: \(m)"
        case .indexOutOfRange(let m): return "index out of range: \(m)"
        }
    }
}

/// A dense row-major matrix of `rows × cols` elements over contiguous storage
/// (`storage[r * cols + c]`). A value type: copies are copy-on-write arrays.
public struct Matrix<Element: TensorScalar>: Equatable, Sendable, CustomStringConvertible {
    /// Number of rows.
    public private(set) var rows: Int
    /// Number of columns (also the row stride).
    public private(set) var cols: Int
    /// The elements, row after row; `count == rows * cols`.
    public var storage: [Element]

    /// A zero-filled (or `value`-filled) matrix.
    public init(rows: Int, cols: Int, repeating value: Element = 0) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative shape \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        self.storage = Array(repeating: value, count: rows * cols)
    }

    /// Wraps existing row-major elements; throws when `storage.count != rows * cols`.
    public init(rows: Int, cols: Int, storage: [Element]) throws {
        guard rows >= 0, cols >= 0, storage.count == rows * cols else {
            throw TensorError.shapeMismatch("Matrix \(rows)×\(cols) needs \(rows * cols) elements, got \(storage.count)")
        }
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// Total number of elements.
    @inlinable public var count: Int { storage.count }

    /// Element at row `r`, column `c`.
    @inlinable
    public subscript(r: Int, c: Int) -> Element {
        get { storage[r * cols + c] }
        set { storage[r * cols + c] = newValue }
    }

    /// The same elements converted to another scalar type.
    public func converted<U: TensorScalar>(to: U.Type = U.self) -> Matrix<U> {
        try! Matrix<U>(rows: rows, cols: cols, storage: storage.map { U($0) })
    }

    /// The transpose (cols × rows), as a new matrix.
    public func transposed() -> Matrix {
        var t = Matrix(rows: cols, cols: rows)
        for r in 0..<rows { for c in 0..<cols { t.storage[c * rows + r] = storage[r * cols + c] } }
        return t
    }

    /// The matrix product `op(a) · op(b)` through ``BLAS``, `op` optionally transposing.
    public static func product(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false) throws -> Matrix {
        let (m, k) = transposeA ? (a.cols, a.rows) : (a.rows, a.cols)
        let (k2, n) = transposeB ? (b.cols, b.rows) : (b.rows, b.cols)
        guard k == k2 else {
            throw TensorError.shapeMismatch("product of \(m)×\(k) and \(k2)×\(n)")
        }
        var c = Matrix(rows: m, cols: n)
        if m == 0 || n == 0 { return c }
        if k == 0 { return c }
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    Element.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                                 alpha: 1, a: ap.baseAddress!, lda: max(a.cols, 1),
                                 b: bp.baseAddress!, ldb: max(b.cols, 1),
                                 beta: 0, c: cp.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    public var description: String {
        var s = "Matrix<\(Element.dtypeName)> \(rows)×\(cols)"
        if count <= 64 {
            for r in 0..<rows { s += "\n  " + (0..<cols).map { "\(self[r, $0])" }.joined(separator: " ") }
        }
        return s
    }
}

/// A fixed-size, 64-byte aligned, zero-initialised buffer with a stable address, for
/// workspaces and parameter storage that kernels address through raw pointers.
///
/// A reference type: the pointer stays valid for the buffer's lifetime and never moves, so
/// hot loops take it once instead of going through `withUnsafe…` closures per call.
public final class Buffer<Element: TensorScalar> {
    /// Start of the storage (`count` initialised elements).
    public let pointer: UnsafeMutablePointer<Element>
    /// Number of elements.
    public let count: Int
    /// The buffer whose storage this one views (kept alive by it), or nil when it owns its own.
    private let owner: Buffer?

    /// Allocates `count` zeroed elements.
    public init(count: Int) {
        precondition(count >= 0, "Buffer: negative count \(count)")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Element>.stride, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: max(count, 1) * MemoryLayout<Element>.stride)
        pointer = raw.bindMemory(to: Element.self, capacity: max(count, 1))
        owner = nil
    }

    /// A view of `count` elements of `owner` from `offset`: the same storage, which the view
    /// keeps alive and does not free.
    public init(viewing owner: Buffer, offset: Int, count: Int) {
        precondition(offset >= 0 && count >= 0 && offset + count <= owner.count, "Buffer: view \(offset)+\(count) outside \(owner.count)")
        self.count = count
        pointer = owner.pointer + offset
        self.owner = owner
    }

    deinit { if owner == nil { UnsafeMutableRawPointer(pointer).deallocate() } }

    /// The storage as a buffer pointer (valid while `self` is alive).
    @inlinable public var buffer: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    /// Sets every element to zero.
    public func zero() { zero(0..<count) }

    /// Sets the elements in `range` to zero.
    public func zero(_ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "Buffer.zero: \(range) outside 0..<\(count)")
        // memset: all-zero bits are 0.0 for IEEE floats; avoids unspecialised generic loops.
        // Large ranges (a model's gradients) in parts of 256 KiB across the worker pool.
        let bytes = range.count * MemoryLayout<Element>.stride, part = 1 << 18
        let raw = UnsafeMutableRawPointer(pointer + range.lowerBound)
        if bytes < 4 * part {
            raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
            return
        }
        WorkerPool.shared.parallelRows((bytes + part - 1) / part, width: part / 4) { parts in
            for i in parts { (raw + i * part).initializeMemory(as: UInt8.self, repeating: 0, count: min(part, bytes - i * part)) }
        }
    }

    /// The elements as an array (a copy).
    public var array: [Element] { Array(buffer) }

    /// Element `i`.
    @inlinable
    public subscript(i: Int) -> Element {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    /// Copies `values` in; throws when the counts differ.
    public func assign(_ values: [Element]) throws {
        guard values.count == count else {
            throw TensorError.shapeMismatch("Buffer of \(count) elements assigned \(values.count)")
        }
        if count > 0 {
            values.withUnsafeBytes { UnsafeMutableRawPointer(pointer).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        }
    }
}
