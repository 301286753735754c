import LMModels
import LMTensor
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One time step of a ``RecurrentLM`` for a few sequences: the model's forward specialised to
/// generation, where every product is a vector × matrix (batch 1, one step).
///
/// Why not `model.forward(inputs:steps: 1, batch: 1)`: there each product is an m = 1 GEMM,
/// and OpenBLAS (0.3.21) packs the whole weight matrix before every such call; at batch 1 that
/// copy, not the arithmetic, is most of the time (measured with perf on RNN-512: ~70 % in
/// `sgemm_itcopy` + kernel, ~10 µs per token). Here the weights are read in place, once per
/// token, by a blocked vector × matrix kernel, so they stay in the CPU's cache.
///
/// The arithmetic is the model's, on the model's own parameters (read, never written): the
/// same gate layout and order of operations as `RNNCell`, `GRUCell` and `LSTMCell`, and the
/// same element-wise kernels (`Float.tanh`, `Float.sigmoid`); only the summation order of the
/// products differs, so logits agree with `model.forward` to float rounding (tested against
/// it for every cell kind, embeddings and stacked layers). The state lives here, so
/// generation leaves the model's carried state alone.
///
/// Buffers are allocated by ``reset(batch:)``; ``step(_:)`` allocates nothing.
final class RecurrentStep {
    private enum Kind { case rnn(ModelConfig.Activation), gru, lstm }

    private struct Layer {
        let kind: Kind
        let inputSize: Int, hidden: Int, gates: Int
        let inputWeight: UnsafePointer<Float>, recurrentWeight: UnsafePointer<Float>, bias: UnsafePointer<Float>
    }

    private let layers: [Layer]
    private let embedding: UnsafePointer<Float>?
    private let embeddingSize: Int
    private let headWeight: UnsafePointer<Float>, headBias: UnsafePointer<Float>
    private let vocabularySize: Int
    /// The parameter buffers, kept alive with the pointers above.
    private let owners: [AnyObject]

    private(set) var batch = 0
    /// Whether large products are split across the worker pool: nil chooses by measurement
    /// (see ``ThreadingTuner``), true or false forces it. The text does not depend on it.
    /// `LMKIT_STEP_SPLIT=1` or `0` in the environment forces it (for measurements).
    var parallel: Bool? = RecurrentStep.forcedSplit
    private static let forcedSplit: Bool? = {
        guard let text = getenv("LMKIT_STEP_SPLIT") else { return nil }
        switch String(cString: text) { case "1": return true; case "0": return false; default: return nil }
    }()
    private var tuner = ThreadingTuner()
    /// Alternates every step: the large products walk their 256-column blocks in the other
    /// order, so a step starts on the blocks the previous one read last, still in this core's
    /// L2 (RNN-512's 1 MB W_hh does not fit beside everything else). Each column's sum is the
    /// same either way.
    private var backwards = false
    private var hidden: [Buffer<Float>] = []       // per layer: batch × H
    private var cells: [Buffer<Float>] = []        // per LSTM layer: batch × H (else empty)
    private var gateBuffer = Buffer<Float>(count: 0)
    private var scratch = Buffer<Float>(count: 0)
    private var inputBuffer = Buffer<Float>(count: 0)
    private var logitBuffer = Buffer<Float>(count: 0)
    /// One-layer RNN with one-hot input at batch 1 (d2l's models): h_t · W_hh for the next
    /// step, computed in the same pass as the logits of step t (see ``stepOneLayerRNN``).
    private var pending = Buffer<Float>(count: 0)
    private let pipelined: Bool

    /// The step of `model`, or nil for a cell this file does not know (then the generator
    /// falls back to `model.forward`).
    init?(model: RecurrentLM<Float>) {
        var layers: [Layer] = []
        var owners: [AnyObject] = []
        for cell in model.cells {
            let kind: Kind
            switch cell {
            case let r as RNNCell<Float>: kind = .rnn(r.activation)
            case is GRUCell<Float>: kind = .gru
            case is LSTMCell<Float>: kind = .lstm
            default: return nil
            }
            let p = cell.parameters
            guard p.count == 3 else { return nil }
            owners += p
            layers.append(Layer(kind: kind, inputSize: cell.inputSize, hidden: cell.hiddenSize, gates: cell.gateCount,
                                inputWeight: UnsafePointer(p[0].value.pointer), recurrentWeight: UnsafePointer(p[1].value.pointer), bias: UnsafePointer(p[2].value.pointer)))
        }
        self.layers = layers
        embedding = model.inputLayer.embedding.map { UnsafePointer($0.value.pointer) }
        embeddingSize = model.inputLayer.embeddingSize ?? 0
        if let e = model.inputLayer.embedding { owners.append(e) }
        headWeight = UnsafePointer(model.outputLayer.weight.value.pointer)
        headBias = UnsafePointer(model.outputLayer.bias.value.pointer)
        owners += [model.outputLayer.weight, model.outputLayer.bias]
        vocabularySize = model.config.vocabularySize
        self.owners = owners
        if layers.count == 1, embedding == nil, case .rnn = layers[0].kind { pipelined = true } else { pipelined = false }
    }

    /// Zero state for `batch` sequences (allocates the buffers when the batch changes).
    func reset(batch b: Int) {
        tuner.restartWindow()
        if b != batch {
            batch = b
            hidden = layers.map { Buffer(count: b * $0.hidden) }
            cells = layers.map { l in if case .lstm = l.kind { Buffer(count: b * l.hidden) } else { Buffer(count: 0) } }
            let widest = layers.map { $0.gates * $0.hidden }.max() ?? 0
            gateBuffer = Buffer(count: widest)
            scratch = Buffer(count: layers.map(\.hidden).max() ?? 0)
            inputBuffer = Buffer(count: max(embeddingSize, 1))
            logitBuffer = Buffer(count: b * vocabularySize)
            pending = Buffer(count: layers[0].hidden)
        } else {
            for h in hidden { h.zero() }
            for c in cells { c.zero() }
            pending.zero()  // = 0 · W_hh, the product of the zero state
        }
    }

    /// The logits of the last step, batch × vocabulary rows.
    var logits: UnsafePointer<Float> { UnsafePointer(logitBuffer.pointer) }

    /// Feeds one token per sequence: advances every layer's state and computes the logits.
    func step(_ ids: UnsafePointer<Int32>) {
        let v = vocabularySize
        let parallel = self.parallel ?? tuner.tick()
        backwards.toggle()
        let backwards = self.backwards
        if pipelined && batch == 1 {
            stepOneLayerRNN(Int(ids[0]), parallel: parallel, backwards: backwards)
            return
        }
        for b in 0..<batch {
            let id = Int(ids[b])
            // The first layer's input: a one-hot row (a row of W_xh) or an embedding row.
            var dense: UnsafePointer<Float>? = nil
            if let e = embedding {
                dense = e + id * embeddingSize
            }
            for (l, layer) in layers.enumerated() {
                let h = layer.hidden, w = layer.gates * h
                let g = gateBuffer.pointer
                let state = hidden[l].pointer + b * h
                // Gates = X W_xh + b_h (a row gather for one-hot input, as the model's inputProjection).
                if let x = dense {
                    g.update(from: layer.bias, count: w)
                    VectorMatrix.accumulate(parallel: parallel, backwards: backwards, x, layer.inputWeight, rows: layer.inputSize, cols: w, stride: w, into: g)
                } else {
                    let row = layer.inputWeight + id * w
                    for j in 0..<w { g[j] = row[j] + layer.bias[j] }
                }
                switch layer.kind {
                case .rnn(let activation):
                    VectorMatrix.accumulate(parallel: parallel, backwards: backwards, state, layer.recurrentWeight, rows: h, cols: h, stride: h, into: g)
                    switch activation {
                    case .tanh: Float.tanh(g, state, count: h)
                    case .relu: Float.relu(g, state, count: h)
                    }
                case .gru:
                    // [R | Z] += H W_h[r|z]; R ⊙ H; H̃ += (R ⊙ H) W_hh; H' = Z ⊙ H + (1 − Z) ⊙ H̃.
                    VectorMatrix.accumulate(parallel: parallel, backwards: backwards, state, layer.recurrentWeight, rows: h, cols: 2 * h, stride: w, into: g)
                    Float.sigmoid(g, g, count: 2 * h)
                    let rh = scratch.pointer
                    for j in 0..<h { rh[j] = g[j] * state[j] }
                    let c = g + 2 * h, z = g + h
                    VectorMatrix.accumulate(parallel: parallel, backwards: backwards, rh, layer.recurrentWeight + 2 * h, rows: h, cols: h, stride: w, into: c)
                    Float.tanh(c, c, count: h)
                    for j in 0..<h { state[j] = z[j] * state[j] + (1 - z[j]) * c[j] }
                case .lstm:
                    // [I | F | O | C̃] += H W_hh; C' = F ⊙ C + I ⊙ C̃; H' = O ⊙ tanh(C').
                    VectorMatrix.accumulate(parallel: parallel, backwards: backwards, state, layer.recurrentWeight, rows: h, cols: w, stride: w, into: g)
                    Float.sigmoid(g, g, count: 3 * h)
                    Float.tanh(g + 3 * h, g + 3 * h, count: h)
                    let cell = cells[l].pointer + b * h
                    let i = g, f = g + h, o = g + 2 * h, cc = g + 3 * h
                    for j in 0..<h { cell[j] = f[j] * cell[j] + i[j] * cc[j] }
                    let tc = scratch.pointer
                    Float.tanh(cell, tc, count: h)
                    for j in 0..<h { state[j] = o[j] * tc[j] }
                }
                dense = UnsafePointer(state)
            }
            // Logits = H_top W_hq + b_q.
            let top = layers[layers.count - 1]
            let out = logitBuffer.pointer + b * v
            out.update(from: headBias, count: v)
            if v < 128 {
                VectorMatrix.accumulateNarrow(dense!, headWeight, rows: top.hidden, cols: v, stride: v, into: out)
            } else {
                VectorMatrix.accumulate(dense!, headWeight, rows: top.hidden, cols: v, stride: v, into: out)
            }
        }
    }

    /// ``step(_:)`` for a one-layer RNN with one-hot input at batch 1, reordered so that a
    /// step needs one parallel pass: H_t = φ(W_xh[id] + b_h + P) with P = H_{t−1} W_hh from
    /// the previous step, then one pass computes both the logits H_t W_hq + b_q and the next
    /// step's P = H_t W_hh, the head on the calling thread while the worker starts its part of
    /// the product (the head no longer waits alone on one core). The same operations in the
    /// same order as ``step(_:)``'s general path: (W_xh[id] + b_h) + (0 + Σ fma chain), so
    /// the logits are the same bits either way, split or not.
    private func stepOneLayerRNN(_ id: Int, parallel: Bool, backwards: Bool) {
        let layer = layers[0]
        let h = layer.hidden, v = vocabularySize
        let g = gateBuffer.pointer, p = pending.pointer, state = hidden[0].pointer
        let row = layer.inputWeight + id * h, bias = layer.bias
        for j in 0..<h { g[j] = (row[j] + bias[j]) + p[j] }
        guard case .rnn(let activation) = layer.kind else { return }
        switch activation {
        case .tanh: Float.tanh(g, state, count: h)
        case .relu: Float.relu(g, state, count: h)
        }
        let out = logitBuffer.pointer
        out.update(from: headBias, count: v)
        p.update(repeating: 0, count: h)
        let x = UnsafePointer(state), w = layer.recurrentWeight
        let head = { [headWeight] in
            if v < 128 {
                VectorMatrix.accumulateNarrow(x, headWeight, rows: h, cols: v, stride: v, into: out)
            } else {
                VectorMatrix.accumulate(x, headWeight, rows: h, cols: v, stride: v, into: out)
            }
        }
        let pool = WorkerPool.shared
        let blocks = h / 16
        guard parallel, pool.width > 1, h * h >= VectorMatrix.parallelThreshold, blocks >= 2 else {
            head()
            VectorMatrix.accumulate(x, w, rows: h, cols: h, stride: h, into: p, backwards: backwards)
            return
        }
        // Part 0 (the head) and part 1 are claimed first by the calling thread, part 2 by the
        // worker (it claims from the back), so each keeps its half of W_hh in its own cache.
        let half = blocks / 2 * 16
        pool.run(parts: 3) { part in
            switch part {
            case 0: head()
            case 1: VectorMatrix.accumulate(x, w, rows: h, cols: half, stride: h, into: p, backwards: backwards)
            default: VectorMatrix.accumulate(x, w + half, rows: h, cols: h - half, stride: h, into: p + half, backwards: backwards)
            }
        }
    }
}

/// Chooses, while generation runs, whether splitting the step's products across the worker
/// pool pays: on an idle 2-core machine it nearly doubles RNN-512's tokens/s, but when other
/// processes hold the cores a worker descheduled in the middle of its part stalls every step
/// (measured: 120k → 36k tokens/s split, 62k serial). Steps are timed in windows of 64; after
/// one window of each mode the faster is used, and the other is re-measured from time to
/// time: after 32 windows at first, and each time the other mode loses again the interval
/// doubles, up to 1,024 windows (on a loaded machine one split window can stall for a
/// scheduler time slice, several ms, so exploring every 32 windows cost ~10 % there); when
/// the other mode wins, it is used and the interval is 32 again.
struct ThreadingTuner {
    private(set) var parallel = true
    private var steps = 0
    private var start: UInt64 = 0
    private var cost: (serial: Double, parallel: Double) = (.nan, .nan)
    private var interval = Self.exploreEvery, windowsLeft = Self.exploreEvery
    private var exploring = false
    private static let windowLength = 64, exploreEvery = 32, exploreAtMost = 1024

    /// Drops the window under way (a pause between generations must not count as step time).
    mutating func restartWindow() { steps = 0 }

    /// Call once per step; returns the mode for this step.
    mutating func tick() -> Bool {
        if steps == 0 { start = Self.now() }
        steps += 1
        if steps > Self.windowLength {
            let perStep = Double(Self.now() &- start) / Double(steps - 1)
            if parallel { cost.parallel = perStep } else { cost.serial = perStep }
            steps = 1
            start = Self.now()
            if cost.serial.isNaN {
                parallel = false
            } else if cost.parallel.isNaN {
                parallel = true
            } else {
                let best = cost.parallel <= cost.serial
                if exploring {
                    exploring = false
                    interval = parallel == best ? Self.exploreEvery : min(2 * interval, Self.exploreAtMost)
                    windowsLeft = interval
                }
                windowsLeft -= 1
                if windowsLeft <= 0 {
                    exploring = true
                    parallel = !best
                } else {
                    parallel = best
                }
            }
        }
        return parallel
    }

    private static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }
}

/// y += x · W for a row vector x (rows) and a row-major matrix W (rows × cols, row stride
/// `stride`), reading W once, in place, with 16-lane SIMD fused multiply-adds (AVX-512 on the
/// host builds).
///
/// ``accumulate(_:_:rows:cols:stride:into:)`` (the wide kernel) sums every column on its own
/// accumulator over the rows in order, y[j] += fma-chain(x[0] W[0][j], x[1] W[1][j], …):
/// columns go in blocks of 256 (sixteen 16-lane accumulators, W streamed row by row: 1 KB
/// contiguous per row, measured ~25 % faster than blocks of 128 on RNN-512), then 128, 64,
/// 16, 4 and 1, all with that same order, so a column's result does not depend on the block
/// that holds it and the products may be split anywhere across threads bit for bit.
///
/// ``accumulateNarrow(_:_:rows:cols:stride:into:)`` is for matrices with few columns (the
/// output head, vocabulary 28): there one accumulator chain per column would wait on the FMA
/// latency, so the rows go round-robin over four accumulator sets, added at the end.
enum VectorMatrix {
    typealias V16 = SIMD16<Float>
    typealias V4 = SIMD4<Float>

    @inline(__always)
    private static func load16(_ p: UnsafePointer<Float>) -> V16 {
        UnsafeRawPointer(p).loadUnaligned(as: V16.self)
    }

    @inline(__always)
    private static func load4(_ p: UnsafePointer<Float>) -> V4 {
        UnsafeRawPointer(p).loadUnaligned(as: V4.self)
    }

    @inline(__always)
    private static func add(_ v: V16, to p: UnsafeMutablePointer<Float>) {
        let q = UnsafeMutableRawPointer(p)
        q.storeBytes(of: q.loadUnaligned(as: V16.self) + v, as: V16.self)
    }

    @inline(__always)
    private static func add(_ v: V4, to p: UnsafeMutablePointer<Float>) {
        let q = UnsafeMutableRawPointer(p)
        q.storeBytes(of: q.loadUnaligned(as: V4.self) + v, as: V4.self)
    }

    /// Products with at least this many multiply-adds are split by column blocks across
    /// LMTensor's `WorkerPool` (RNN-512's 512 × 512 recurrent product is; the head is not).
    /// `LMKIT_STEP_PARALLEL_MIN` overrides it (0 = always split, a huge value = never).
    nonisolated(unsafe) static var parallelThreshold: Int = {
        if let text = getenv("LMKIT_STEP_PARALLEL_MIN"), let value = Int(String(cString: text)) { return value }
        return 65_536
    }()

    /// ``accumulate(_:_:rows:cols:stride:into:)``, split across the worker pool when `parallel`
    /// and the product is large: each part takes a contiguous run of 16-column blocks; every
    /// column is summed in the same order as serially (the results do not depend on the split).
    static func accumulate(parallel: Bool, backwards: Bool = false, _ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rows k: Int, cols n: Int,
                           stride: Int, into y: UnsafeMutablePointer<Float>) {
        let pool = WorkerPool.shared
        let blocks = n / 16
        guard parallel, pool.width > 1, k * n >= parallelThreshold, blocks >= 2 else {
            accumulate(x, w, rows: k, cols: n, stride: stride, into: y, backwards: backwards)
            return
        }
        let parts = min(pool.width, blocks)
        pool.run(parts: parts) { p in
            let lo = p * blocks / parts * 16
            let hi = p == parts - 1 ? n : (p + 1) * blocks / parts * 16
            accumulate(x, w + lo, rows: k, cols: hi - lo, stride: stride, into: y + lo, backwards: backwards)
        }
    }

    /// The wide kernel (see the type's comment).
    static func accumulate(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rows k: Int, cols n: Int, stride: Int,
                           into y: UnsafeMutablePointer<Float>, backwards: Bool = false) {
        let wider = n / 256
        for b in 0..<wider {
            let j = (backwards ? wider - 1 - b : b) * 256
            var a0 = V16(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0
            var c0 = V16(), c1 = a0, c2 = a0, c3 = a0, c4 = a0, c5 = a0, c6 = a0, c7 = a0
            var r = w + j
            for i in 0..<k {
                let xi = V16(repeating: x[i])
                a0 = a0.addingProduct(xi, load16(r)); a1 = a1.addingProduct(xi, load16(r + 16))
                a2 = a2.addingProduct(xi, load16(r + 32)); a3 = a3.addingProduct(xi, load16(r + 48))
                a4 = a4.addingProduct(xi, load16(r + 64)); a5 = a5.addingProduct(xi, load16(r + 80))
                a6 = a6.addingProduct(xi, load16(r + 96)); a7 = a7.addingProduct(xi, load16(r + 112))
                c0 = c0.addingProduct(xi, load16(r + 128)); c1 = c1.addingProduct(xi, load16(r + 144))
                c2 = c2.addingProduct(xi, load16(r + 160)); c3 = c3.addingProduct(xi, load16(r + 176))
                c4 = c4.addingProduct(xi, load16(r + 192)); c5 = c5.addingProduct(xi, load16(r + 208))
                c6 = c6.addingProduct(xi, load16(r + 224)); c7 = c7.addingProduct(xi, load16(r + 240))
                r += stride
            }
            let o = y + j
            add(a0, to: o); add(a1, to: o + 16); add(a2, to: o + 32); add(a3, to: o + 48)
            add(a4, to: o + 64); add(a5, to: o + 80); add(a6, to: o + 96); add(a7, to: o + 112)
            add(c0, to: o + 128); add(c1, to: o + 144); add(c2, to: o + 160); add(c3, to: o + 176)
            add(c4, to: o + 192); add(c5, to: o + 208); add(c6, to: o + 224); add(c7, to: o + 240)
        }
        let base = wider * 256
        let wide = (n - base) / 128
        for b in 0..<wide {
            let j = base + b * 128
            var a0 = V16(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0
            var r = w + j
            for i in 0..<k {
                let xi = V16(repeating: x[i])
                a0 = a0.addingProduct(xi, load16(r)); a1 = a1.addingProduct(xi, load16(r + 16))
                a2 = a2.addingProduct(xi, load16(r + 32)); a3 = a3.addingProduct(xi, load16(r + 48))
                a4 = a4.addingProduct(xi, load16(r + 64)); a5 = a5.addingProduct(xi, load16(r + 80))
                a6 = a6.addingProduct(xi, load16(r + 96)); a7 = a7.addingProduct(xi, load16(r + 112))
                r += stride
            }
            let o = y + j
            add(a0, to: o); add(a1, to: o + 16); add(a2, to: o + 32); add(a3, to: o + 48)
            add(a4, to: o + 64); add(a5, to: o + 80); add(a6, to: o + 96); add(a7, to: o + 112)
        }
        var j = base + wide * 128
        if j + 64 <= n {
            var a0 = V16(), a1 = a0, a2 = a0, a3 = a0
            var r = w + j
            for i in 0..<k {
                let xi = V16(repeating: x[i])
                a0 = a0.addingProduct(xi, load16(r)); a1 = a1.addingProduct(xi, load16(r + 16))
                a2 = a2.addingProduct(xi, load16(r + 32)); a3 = a3.addingProduct(xi, load16(r + 48))
                r += stride
            }
            let o = y + j
            add(a0, to: o); add(a1, to: o + 16); add(a2, to: o + 32); add(a3, to: o + 48)
            j += 64
        }
        while j + 16 <= n {
            var a0 = V16()
            var r = w + j
            for i in 0..<k { a0 = a0.addingProduct(V16(repeating: x[i]), load16(r)); r += stride }
            add(a0, to: y + j)
            j += 16
        }
        while j + 4 <= n {
            var a0 = V4()
            var r = w + j
            for i in 0..<k { a0 = a0.addingProduct(V4(repeating: x[i]), load4(r)); r += stride }
            add(a0, to: y + j)
            j += 4
        }
        while j < n {
            var s: Float = 0
            var r = w + j
            for i in 0..<k { s = s.addingProduct(x[i], r.pointee); r += stride }
            y[j] += s
            j += 1
        }
    }

    /// The narrow kernel (see the type's comment): columns in chunks of two 16-lane blocks,
    /// the last block of a row overlapping the one before when the width is not a multiple
    /// of 16 (its repeated lanes are zeroed before the store); widths under 16 in 4-lane
    /// blocks and singly. Rows go round-robin over four accumulator sets.
    static func accumulateNarrow(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, rows k: Int, cols n: Int, stride: Int,
                                 into y: UnsafeMutablePointer<Float>) {
        let k4 = k & ~3
        if n >= 16 {
            var j = 0
            while j < n {
                // Blocks at c0 and c1 (c1 == c0 when one block is left), each 16 wide.
                let c0 = min(j, n - 16)
                let two = c0 + 16 < n
                let c1 = two ? min(c0 + 16, n - 16) : c0
                var a0 = V16(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0
                var r = w
                var i = 0
                while i < k4 {
                    let x0 = V16(repeating: x[i]), x1 = V16(repeating: x[i + 1])
                    let x2 = V16(repeating: x[i + 2]), x3 = V16(repeating: x[i + 3])
                    a0 = a0.addingProduct(x0, load16(r + c0)); b0 = b0.addingProduct(x0, load16(r + c1))
                    a1 = a1.addingProduct(x1, load16(r + stride + c0)); b1 = b1.addingProduct(x1, load16(r + stride + c1))
                    a2 = a2.addingProduct(x2, load16(r + 2 * stride + c0)); b2 = b2.addingProduct(x2, load16(r + 2 * stride + c1))
                    a3 = a3.addingProduct(x3, load16(r + 3 * stride + c0)); b3 = b3.addingProduct(x3, load16(r + 3 * stride + c1))
                    r += 4 * stride
                    i += 4
                }
                while i < k {
                    let x0 = V16(repeating: x[i])
                    a0 = a0.addingProduct(x0, load16(r + c0)); b0 = b0.addingProduct(x0, load16(r + c1))
                    r += stride
                    i += 1
                }
                // Lanes of a block below j were stored by the previous chunk.
                var a = (a0 + a1) + (a2 + a3)
                let lanes = V16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
                a.replace(with: 0, where: lanes .< V16(repeating: Float(j - c0)))
                add(a, to: y + c0)
                if two {
                    var b = (b0 + b1) + (b2 + b3)
                    b.replace(with: 0, where: lanes .< V16(repeating: Float(c0 + 16 - c1)))
                    add(b, to: y + c1)
                }
                j = two ? c1 + 16 : c0 + 16
            }
            return
        }
        var j = 0
        while j + 4 <= n {
            var a0 = V4(), a1 = a0, a2 = a0, a3 = a0
            var r = w + j
            var i = 0
            while i < k4 {
                a0 = a0.addingProduct(V4(repeating: x[i]), load4(r))
                a1 = a1.addingProduct(V4(repeating: x[i + 1]), load4(r + stride))
                a2 = a2.addingProduct(V4(repeating: x[i + 2]), load4(r + 2 * stride))
                a3 = a3.addingProduct(V4(repeating: x[i + 3]), load4(r + 3 * stride))
                r += 4 * stride
                i += 4
            }
            while i < k { a0 = a0.addingProduct(V4(repeating: x[i]), load4(r)); r += stride; i += 1 }
            add((a0 + a1) + (a2 + a3), to: y + j)
            j += 4
        }
        while j < n {
            var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
            var r = w + j
            var i = 0
            while i < k4 {
                s0 = s0.addingProduct(x[i], r.pointee)
                s1 = s1.addingProduct(x[i + 1], r[stride])
                s2 = s2.addingProduct(x[i + 2], r[2 * stride])
                s3 = s3.addingProduct(x[i + 3], r[3 * stride])
                r += 4 * stride
                i += 4
            }
            while i < k { s0 = s0.addingProduct(x[i], r.pointee); r += stride; i += 1 }
            y[j] += (s0 + s1) + (s2 + s3)
            j += 1
        }
    }
}
