/// One time step of a recurrent layer split across the ``WorkerPool`` by units, the product
/// and the element-wise work together.
///
/// A step used to be two dispatches: the recurrent product split by columns, then the gates'
/// element-wise pass split by rows, which read back what the product had just written,
/// from another core's cache as often as not. Here each part takes a range of units (a
/// multiple of 16), computes those units' columns of the product in every gate block
/// (``TensorScalar/recurrentUnits(m:k:units:gates:blockWidth:a:lda:w:ldw:c:ldc:descending:)``)
/// and then their element-wise work while the columns are in its cache: one dispatch per step.
/// The next step needs every unit's output, so there is one dispatch per step, not fewer.
///
/// The bits do not depend on the split: each gate block's columns go through the product
/// kernel as separate ranges whether split or not, so a part's strips start at multiples of 16
/// and the same last H mod 16 columns of each block are the ragged ones (summed on their own
/// path), and the element-wise kernels' 16-lane blocks start at multiples of 16 too.
public enum RecurrentStep {
    /// Runs `body(units)` over parts of `0..<units` (multiples of 16 but the last), in
    /// parallel when ``BLAS/threads`` > 1 and the step's product (m × n × k = `work`
    /// multiply-adds) is large enough to pay for a dispatch (8 × the pool's
    /// ``WorkerPool/elementThreshold``, 65,536 unless tests lower it), else `body(0..<units)` on
    /// the calling thread. Each thread gets about four parts (a thread slowed by another process
    /// leaves its last ones to the others); `descending` (odd steps) reverses the walk as
    /// ``RecurrentProduct`` does, so that a thread starts on the part whose weights it used last.
    public static func run(units: Int, work: Int, descending: Bool, _ body: (Range<Int>) -> Void) {
        let pool = WorkerPool.shared, threads = min(BLAS.threads, pool.width)
        let parts = min(4 * threads, (units + 15) / 16)
        if threads <= 1 || parts <= 1 || work < 8 * pool.elementThreshold {
            body(0..<units)
            return
        }
        pool.run(parts: parts) { p in
            body(part(RecurrentProduct.claimed(p, parts: parts, descending: descending), of: parts, units: units))
        }
    }

    /// Step `t` of a layer's backward walk (t from the window's last step down): each part of the
    /// `units` first adds the gradient carried back through step t + 1 to its units,
    /// ∂H_t[:, u] += ∂G_{t+1}[:, 0..<depth] · W_hhᵀ[0..<depth, u], then runs `body(u)`, the cell's
    /// element-wise gradients of those units. At the last step (t + 1 = `steps`) nothing is carried.
    /// - `gateGradients`: ∂G_t, `batch` rows of `gateWidth`; ∂G_{t+1} follows it.
    /// - `transposed`: W_hhᵀ (gateWidth × units, row stride `units`), read in its first `depth` rows
    ///   (all gates but GRU's candidate, whose product its cell runs after the others).
    /// - `outputGradients`: ∂H_t (batch × units).
    @inlinable
    public static func backward<Scalar: TensorScalar>(
        step t: Int, of steps: Int, batch: Int, units: Int, depth: Int, gateWidth: Int,
        gateGradients: UnsafeMutablePointer<Scalar>, transposed: UnsafePointer<Scalar>,
        outputGradients: UnsafeMutablePointer<Scalar>, _ body: (Range<Int>) -> Void
    ) {
        let later = t + 1 < steps, descending = t & 1 == 0
        run(units: units, work: later ? batch * units * depth : 0, descending: descending) { u in
            if later {
                Scalar.recurrentColumns(m: batch, k: depth, columns: u, a: gateGradients + batch * gateWidth, lda: gateWidth,
                                        w: transposed, ldw: units, c: outputGradients, ldc: units, descending: descending)
            }
            body(u)
        }
    }

    /// The units of part `q` of `parts` (at most one per 16 units): the blocks of 16 units
    /// shared out as evenly as they go, so that no part is more than 16 units larger than
    /// another (H = 650 in 8 parts: 80 or 96 units, where equal chunks of 96 left 7 parts and
    /// a last one of 74).
    public static func part(_ q: Int, of parts: Int, units: Int) -> Range<Int> {
        let blocks = (units + 15) / 16
        return (16 * (q * blocks / parts))..<min(units, 16 * ((q + 1) * blocks / parts))
    }
}

extension TensorScalar {
    /// C[:, g·blockWidth + u] += A (m × k, lda) · W[:, g·blockWidth + u] for u in `units` and
    /// each gate block g in 0..<`gates`, on the calling thread: a part of a split
    /// ``RecurrentStep`` (the blocks in reverse when `descending`).
    @inlinable
    public static func recurrentUnits(m: Int, k: Int, units: Range<Int>, gates: Int, blockWidth: Int,
                                      a: UnsafePointer<Self>, lda: Int, w: UnsafePointer<Self>, ldw: Int,
                                      c: UnsafeMutablePointer<Self>, ldc: Int, descending: Bool) {
        for i in 0..<gates {
            let g = descending ? gates - 1 - i : i, offset = g * blockWidth
            recurrentColumns(m: m, k: k, columns: (offset + units.lowerBound)..<(offset + units.upperBound),
                             a: a, lda: lda, w: w, ldw: ldw, c: c, ldc: ldc, descending: descending)
        }
    }
}
