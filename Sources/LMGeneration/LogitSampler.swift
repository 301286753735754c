import RealModule
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A decoding strategy: given the logits of one row, choose a token id.
///
/// Conventions shared by every sampler:
/// - a logit of `-infinity` marks a token that must not be chosen (``Generator`` masks `<unk>`
///   that way); every other logit must be finite;
/// - random strategies draw from a stable softmax computed in `Double` over a buffer the
///   sampler owns and reuses (no allocation per token), by the inverse CDF with exactly one
///   uniform draw per token (``uniform(using:)``): the first token whose cumulative weight
///   exceeds u · total, walking the candidates in the sampler's fixed order;
/// - ties are broken towards the lower id (as `torch.argmax`).
///
/// Samplers are value types holding their scratch buffers, hence `mutating`.
public protocol LogitSampler {
    /// The id of the chosen token (`0 ..< logits.count`), never one whose logit is -infinity.
    /// - Precondition: at least one logit is finite.
    mutating func sample<G: RandomNumberGenerator>(_ logits: UnsafeBufferPointer<Float>, using generator: inout G) -> Int

    /// The distribution ``sample(_:using:)`` draws from, one probability per logit
    /// (allocates: for tests and inspection, not for the token loop).
    mutating func distribution(_ logits: [Float]) -> [Double]
}

extension LogitSampler {
    /// Convenience over an array (allocation-free: the array's own storage is read).
    public mutating func sample<G: RandomNumberGenerator>(_ logits: [Float], using generator: inout G) -> Int {
        logits.withUnsafeBufferPointer { sample($0, using: &generator) }
    }
}

/// A uniform `Double` in [0, 1) from one 64-bit draw: the top 53 bits times 2⁻⁵³ (the same
/// rule as LMData's `RandomGenerator.nextDouble()`, so a seed gives the same text whichever
/// generator type carries it).
@inline(__always)
public func uniform<G: RandomNumberGenerator>(using generator: inout G) -> Double {
    Double(generator.next() >> 11) * 0x1.0p-53
}

/// The shared arithmetic of the samplers, over caller-owned buffers.
enum SamplingKernels {
    /// The id of the largest finite logit, the lowest id on ties; -infinity entries are
    /// skipped. Returns 0 when none is finite (callers check that case before).
    @inline(__always)
    static func argmax(_ z: UnsafeBufferPointer<Float>) -> Int {
        var best = -1
        var value = -Float.infinity
        for i in 0..<z.count where z[i] > value || (best < 0 && z[i] != -.infinity) {
            best = i
            value = z[i]
        }
        return max(best, 0)
    }

    /// The largest logit (-infinity when all are masked).
    @inline(__always)
    static func maximum(_ z: UnsafeBufferPointer<Float>) -> Float {
        var m = -Float.infinity
        for v in z where v > m { m = v }
        return m
    }

    /// exp(scale · d) for a logit's distance below the best one, d = z − max z ≤ 0, and a
    /// scale in [0, +infinity]: exactly 1 at the best logit (d = 0) whatever the scale, so an
    /// extreme scale (1/T for a subnormal T, or α = 1e308) gives 0 or 1, never NaN from ∞ · 0,
    /// and the best token always keeps its weight.
    @inline(__always)
    static func weight(below d: Double, scale: Double) -> Double {
        d == 0 ? 1 : Double.exp(scale * d)
    }

    /// Stable softmax weights of `scale · z` in `Double`, unnormalized:
    /// w[i] = exp(scale · (z[i] − max z)), 0 for masked entries (see ``weight(below:scale:)``).
    /// Returns Σ w, ≥ 1 when any logit is finite: the maximum contributes exactly 1.
    @inline(__always)
    static func weights(_ z: UnsafeBufferPointer<Float>, scale: Double, into w: UnsafeMutablePointer<Double>) -> Double {
        let m = Double(maximum(z))
        var total = 0.0
        for i in 0..<z.count {
            let v = z[i]
            if v == -.infinity {
                w[i] = 0
            } else {
                let e = weight(below: Double(v) - m, scale: scale)
                w[i] = e
                total += e
            }
        }
        return total
    }

    /// Inverse-CDF draw over all ids in order: the first id whose cumulative weight exceeds
    /// `u · total`. Rounding can leave the target at the very end; the last id with a
    /// positive weight is returned then.
    @inline(__always)
    static func draw(_ w: UnsafePointer<Double>, count: Int, total: Double, u: Double) -> Int {
        let target = u * total
        var cumulative = 0.0
        var last = 0
        for i in 0..<count where w[i] > 0 {
            cumulative += w[i]
            last = i
            if cumulative > target { return i }
        }
        return last
    }

    /// Inverse-CDF draw over the candidates `order[0 ..< n]` in that order.
    @inline(__always)
    static func draw(_ w: UnsafePointer<Double>, order: UnsafePointer<Int32>, count n: Int, total: Double, u: Double) -> Int {
        let target = u * total
        var cumulative = 0.0
        var last = Int(order[0])
        for j in 0..<n {
            let i = Int(order[j])
            guard w[i] > 0 else { continue }
            cumulative += w[i]
            last = i
            if cumulative > target { return i }
        }
        return last
    }

    /// The distribution over `size` tokens that keeps only `order[0 ..< n]`, renormalized
    /// by `total` (their weights' sum); 0 elsewhere. What a truncating sampler draws from.
    static func keptDistribution(_ w: UnsafePointer<Double>, order: UnsafePointer<Int32>, count n: Int, total: Double,
                                 size: Int) -> [Double] {
        var p = [Double](repeating: 0, count: size)
        for j in 0..<n { p[Int(order[j])] = w[Int(order[j])] / total }
        return p
    }

    /// Whether id `a` ranks before id `b`: larger logit first, lower id on ties.
    @inline(__always)
    static func ranks(_ a: Int32, before b: Int32, _ z: UnsafeBufferPointer<Float>) -> Bool {
        let za = z[Int(a)], zb = z[Int(b)]
        return za > zb || (za == zb && a < b)
    }

    /// Puts the unmasked ids into `heap` as a binary max-heap by rank (see
    /// ``ranks(_:before:_:)``); returns how many there are. O(V), no allocation.
    static func buildHeap(_ z: UnsafeBufferPointer<Float>, into heap: UnsafeMutablePointer<Int32>) -> Int {
        var n = 0
        for i in 0..<z.count where z[i] != -.infinity {
            heap[n] = Int32(i)
            n += 1
        }
        var start = n / 2 - 1
        while start >= 0 {
            siftDown(heap, from: start, count: n, z)
            start -= 1
        }
        return n
    }

    /// Restores the heap property below `start` (heap of `n` ids ranked by ``ranks(_:before:_:)``).
    @inline(__always)
    static func siftDown(_ heap: UnsafeMutablePointer<Int32>, from start: Int, count n: Int, _ z: UnsafeBufferPointer<Float>) {
        var i = start
        while true {
            let l = 2 * i + 1
            if l >= n { return }
            var c = l
            if l + 1 < n && ranks(heap[l + 1], before: heap[l], z) { c = l + 1 }
            if ranks(heap[c], before: heap[i], z) {
                heap.swapAt(i, c)
                i = c
            } else {
                return
            }
        }
    }
}

extension UnsafeMutablePointer {
    @inline(__always)
    fileprivate func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]
        self[i] = self[j]
        self[j] = t
    }
}

/// Ranked selection driven pop by pop over a caller-owned heap buffer: the unmasked ids come
/// out best first (larger logit, then lower id), so top-k pops k and top-p stops as soon as
/// the mass is reached, without sorting the whole vocabulary and without allocating.
struct RankedSelection {
    /// Max-heap of the ids not yet popped.
    private(set) var heapCount: Int

    /// Builds the heap of unmasked ids in `heap`.
    init(_ z: UnsafeBufferPointer<Float>, heap: UnsafeMutablePointer<Int32>) {
        heapCount = SamplingKernels.buildHeap(z, into: heap)
    }

    /// The next best id, or nil when every unmasked id has been popped.
    @inline(__always)
    mutating func pop(_ z: UnsafeBufferPointer<Float>, heap: UnsafeMutablePointer<Int32>) -> Int32? {
        guard heapCount > 0 else { return nil }
        let top = heap[0]
        heapCount -= 1
        heap[0] = heap[heapCount]
        SamplingKernels.siftDown(heap, from: 0, count: heapCount, z)
        return top
    }
}

/// The scratch buffers a ranking sampler (``TopK``, ``TopP``) owns and reuses: a weight per id,
/// the heap of ``RankedSelection`` and the kept ids best first. They grow to the vocabulary on
/// first use and are never shrunk, so the token loop does not allocate.
struct RankingBuffers {
    private var weights: [Double] = []
    private var heap: [Int32] = []
    private var order: [Int32] = []

    /// Runs `body` with the weight, heap and order buffers, each at least `count` long.
    @inline(__always)
    mutating func with<R>(count: Int, _ body: (UnsafeMutablePointer<Double>, UnsafeMutablePointer<Int32>,
                                                UnsafeMutablePointer<Int32>) -> R) -> R {
        if weights.count < count {
            weights = [Double](repeating: 0, count: count)
            heap = [Int32](repeating: 0, count: count)
            order = [Int32](repeating: 0, count: count)
        }
        return weights.withUnsafeMutableBufferPointer { w in
            heap.withUnsafeMutableBufferPointer { h in
                order.withUnsafeMutableBufferPointer { o in
                    body(w.baseAddress!, h.baseAddress!, o.baseAddress!)
                }
            }
        }
    }
}
