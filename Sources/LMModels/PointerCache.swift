import Foundation
import LMSettings
import LMTensor

/// The memory of the continuous cache pointer (``CachePointer``) along one sequence, and the
/// mixture it makes: the top-layer outputs h_i of the last `window` positions with the token
/// that followed each, and for each new position t with target w
/// p(w) = (1 − λ) p_model(w) + λ Σ_{i: w_{i+1} = w} softmax_i(θ h_t · h_i)
/// over the min(t, window) positions before t (none for the first prediction of the text,
/// which the model alone scores). Only the target's probability is formed: the pointer's
/// distribution scattered onto the vocabulary, read at w, is the sum over the positions
/// followed by w.
///
/// A segment of T positions appends its outputs and targets, scores all of them against the
/// memory in one T × (held + T) product, then keeps the last `window`. Buffers are sized once
/// for the longest segment; nothing is allocated per segment.
final class PointerCache {
    /// Window, θ and λ.
    let settings: CachePointer
    /// Width of a top-layer output (H).
    let width: Int
    /// The longest segment the buffers hold.
    let maxSteps: Int
    /// Rows the memory can hold while a segment is scored: window + maxSteps.
    private let capacity: Int
    /// h_i, one row of ``width`` per held position, oldest first.
    private let keys: Buffer<Float>
    /// The token that followed each held position.
    private var following: [Int32]
    /// θ h_t · h_i for a segment, T rows of (held + T).
    private let scores: Buffer<Float>
    /// Positions held.
    private var held = 0

    /// An empty memory for outputs of `width` and segments of up to `maxSteps` positions.
    init(settings: CachePointer, width: Int, maxSteps: Int) {
        self.settings = settings
        self.width = width
        self.maxSteps = maxSteps
        capacity = settings.window + maxSteps
        keys = Buffer(count: capacity * width)
        following = [Int32](repeating: 0, count: capacity)
        scores = Buffer(count: maxSteps * capacity)
    }

    /// The summed cross-entropy (nats) of the mixture over a segment of `steps` positions
    /// (≤ ``maxSteps``), read in order after the positions already seen: `hidden` holds their
    /// top-layer outputs (steps × ``width``), `logits` their scores (steps × `vocabulary`; any
    /// rows whose softmax is the model's distribution), `targets` the tokens that follow them.
    /// Then remembers the segment.
    func segmentLoss(hidden: UnsafePointer<Float>, logits: UnsafePointer<Float>, vocabulary: Int,
                     targets: UnsafePointer<Int32>, steps: Int) -> Double {
        precondition(steps >= 1 && steps <= maxSteps, "PointerCache: a segment of \(steps) positions; at most \(maxSteps)")
        let h = width, base = held, n = base + steps
        (keys.pointer + base * h).update(from: hidden, count: steps * h)
        for t in 0..<steps { following[base + t] = targets[t] }
        Float.gemm(transposeA: false, transposeB: true, m: steps, n: n, k: h, alpha: Float(settings.theta),
                   a: hidden, lda: h, b: keys.pointer, ldb: h, beta: 0, c: scores.pointer, ldc: n)
        let lambda = settings.lambda, modelShare = log1p(-lambda)
        var sum = 0.0
        for t in 0..<steps {
            let target = targets[t]
            // −log p_model(target), by the plain evaluation's own kernel.
            let modelLoss = SoftmaxCrossEntropy.meanLoss(logits: logits + t * vocabulary, rows: 1, cols: vocabulary, targets: targets + t)
            let position = base + t, first = max(0, position - settings.window)
            guard lambda > 0, position > first else {
                sum += modelLoss
                continue
            }
            let row = scores.pointer + t * n
            var largest = -Float.infinity
            for i in first..<position { largest = max(largest, row[i]) }
            var total = 0.0, hit = 0.0
            for i in first..<position {
                let e = exp(Double(row[i] - largest))
                total += e
                if following[i] == target { hit += e }
            }
            // log((1 − λ) p_model + λ p_pointer), as a log-sum of its two terms.
            let a = modelShare - modelLoss
            guard hit > 0 else {
                sum -= a
                continue
            }
            let b = log(lambda * hit / total), top = max(a, b)
            sum -= top + log(exp(a - top) + exp(b - top))
        }
        if n > settings.window {
            let keep = settings.window, drop = n - keep
            memmove(keys.pointer, keys.pointer + drop * h, keep * h * MemoryLayout<Float>.stride)
            for i in 0..<keep { following[i] = following[drop + i] }
            held = keep
        } else {
            held = n
        }
        return sum
    }
}
