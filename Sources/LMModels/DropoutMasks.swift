import LMTensor

/// One place's dropout mask for a training window, as scale values (0 or 1/(1 − p)), and
/// the masked activations the next stage reads: T·B × W for fresh masks (row t·B + b is
/// sequence b at step t, as the window), B × W for locked ones (reused at every step).
/// Buffers are allocated once per window shape; masks come from ``DropoutHash`` and are
/// filled in row blocks across ``WorkerPool/shared``.
final class DropoutMask<Scalar: TensorScalar> {
    let place: DropoutHash.Place
    let layer: Int
    private(set) var steps = 0, batch = 0, width = 0, locked = false
    private(set) var mask = Buffer<Scalar>(count: 0)
    private(set) var values = Buffer<Scalar>(count: 0)

    init(place: DropoutHash.Place, layer: Int) {
        self.place = place
        self.layer = layer
    }

    /// Draws the window's mask for `key` with drop probability `p`.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func draw(_ key: DropoutKey, p: Double, locked: Bool, steps: Int, batch: Int, width: Int) {
        if steps != self.steps || batch != self.batch || width != self.width || locked != self.locked {
            (self.steps, self.batch, self.width, self.locked) = (steps, batch, width, locked)
            mask = Buffer(count: (locked ? 1 : steps) * batch * width)
            values = Buffer(count: steps * batch * width)
        }
        let rows = (locked ? 1 : steps) * batch, m = mask.pointer
        let threshold = DropoutHash.threshold(p), scale = Scalar(1 / (1 - p))
        let place = place, layer = layer
        WorkerPool.shared.parallelRows(rows, width: width) { block in
            for r in block {
                let base = DropoutHash.rowBase(key, place: place, layer: layer, stream: key.streamOffset + r % batch,
                                               step: locked ? 0 : r / batch)
                DropoutHash.fillRow(m + r * width, count: width, base: base, threshold: threshold, scale: scale)
            }
        }
    }

    /// ``values`` = `x` ⊙ mask (T·B × W) and returns them.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func apply(_ x: UnsafePointer<Scalar>) -> UnsafePointer<Scalar> {
        let y = values.pointer
        multiply(x, into: y)
        return UnsafePointer(y)
    }

    /// `gradient` ⊙= mask in place (T·B × W): the backward of ``apply(_:)``.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func maskGradient(_ gradient: UnsafeMutablePointer<Scalar>) {
        multiply(UnsafePointer(gradient), into: gradient)
    }

    @inline(__always)
    private func multiply(_ x: UnsafePointer<Scalar>, into y: UnsafeMutablePointer<Scalar>) {
        let w = width, b = batch, m = UnsafePointer(mask.pointer), locked = locked
        WorkerPool.shared.parallelRows(steps * b, width: w) { block in
            for r in block {
                let mr = m + (locked ? r % b : r) * w, xr = x + r * w, yr = y + r * w
                for j in 0..<w { yr[j] = xr[j] * mr[j] }
            }
        }
    }
}

/// One layer's weight drop for a training window (DropConnect on W_hh): the mask M
/// (H × G·H scale values), W̃_hh = W_hh ⊙ M for the cell to read (its workspace's
/// ``CellWorkspace/droppedRecurrent``), and the saved W_hh gradient, so the backward adds
/// exactly dW̃ ⊙ M to what was accumulated before.
final class WeightDropMask<Scalar: TensorScalar> {
    let layer: Int
    let rows: Int, cols: Int
    let mask: Buffer<Scalar>
    let dropped: Buffer<Scalar>
    let savedGradient: Buffer<Scalar>

    init(layer: Int, rows: Int, cols: Int) {
        self.layer = layer
        self.rows = rows
        self.cols = cols
        mask = Buffer(count: rows * cols)
        dropped = Buffer(count: rows * cols)
        savedGradient = Buffer(count: rows * cols)
    }

    /// Draws the mask (row i of W_hh is stream i) and fills ``dropped`` = W ⊙ M.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func draw(_ key: DropoutKey, p: Double, weight: Parameter<Scalar>) {
        let m = mask.pointer, d = dropped.pointer, w = UnsafePointer(weight.value.pointer), cols = cols, layer = layer
        let threshold = DropoutHash.threshold(p), scale = Scalar(1 / (1 - p))
        WorkerPool.shared.parallelRows(rows, width: cols) { block in
            for i in block {
                let base = DropoutHash.rowBase(key, place: .weight, layer: layer, stream: i, step: 0)
                DropoutHash.fillRow(m + i * cols, count: cols, base: base, threshold: threshold, scale: scale)
                for j in i * cols..<(i + 1) * cols { d[j] = w[j] * m[j] }
            }
        }
    }

    /// Before the cell's backward: keeps the W_hh gradient and zeroes it.
    func saveGradient(_ weight: Parameter<Scalar>) {
        savedGradient.pointer.update(from: weight.gradient.pointer, count: rows * cols)
        weight.gradient.zero()
    }

    /// After the cell's backward: gradient = saved + dW̃ ⊙ M (just saved + dW̃ with `skipMask`,
    /// the test fault).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    func finishGradient(_ weight: Parameter<Scalar>, skipMask: Bool) {
        let g = weight.gradient.pointer, s = UnsafePointer(savedGradient.pointer), m = UnsafePointer(mask.pointer)
        for j in 0..<rows * cols { g[j] = s[j] + (skipMask ? g[j] : g[j] * m[j]) }
    }
}
