import LMTensor

/// What a training window's dropout masks are a pure function of: the run's dropout seed,
/// the window's index in the run, and where this process's sequences start in the global
/// batch. Restoring the window counter on resume draws the same masks; a process owning
/// sequences [o, o + b) of a larger batch (`streamOffset` o) draws the masks one process
/// with the whole batch draws for them.
public struct DropoutKey: Equatable, Sendable {
    /// The run's dropout seed.
    public var seed: UInt64
    /// The window's index in the run (0 for the first training window).
    public var window: UInt64
    /// Global index of this batch's sequence 0.
    public var streamOffset: Int

    public init(seed: UInt64, window: UInt64, streamOffset: Int = 0) {
        self.seed = seed
        self.window = window
        self.streamOffset = streamOffset
    }
}

/// The counter-based hash behind every dropout mask.
///
/// A mask element is kept when 16 random bits u satisfy u ≥ ⌊p · 2¹⁶⌋ (probability 1 − p to
/// within 2⁻¹⁶). The bits of element j of the row (place, layer, stream, step) are 16-bit
/// chunk j mod 4 (chunk 0 the lowest: bits (j mod 4)·16 ..< (j mod 4)·16 + 16) of z_k = fmix(rowBase + (k + 1)·γ), k = ⌊j/4⌋ (the
/// k-th SplitMix64 output from state rowBase), where
/// rowBase = c(c(c(c(c(seed, window), place), layer), stream), step) with
/// c(h, v) = fmix(h ⊕ (v + γ)), fmix the SplitMix64 finalizer and γ = 0x9E3779B97F4A7C15.
/// Nothing depends on the order of generation, so rows may be filled on any thread; one
/// 64-bit hash serves four elements.
public enum DropoutHash {
    /// Where a mask applies (part of its hash).
    public enum Place: UInt64, Sendable {
        case input = 1, hidden = 2, output = 3, embedding = 4, weight = 5
    }

    static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The SplitMix64 finalizer.
    @inline(__always)
    public static func fmix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inline(__always)
    static func combine(_ h: UInt64, _ v: UInt64) -> UInt64 { fmix(h ^ (v &+ gamma)) }

    /// The state a row's elements are drawn from.
    @inline(__always)
    public static func rowBase(_ key: DropoutKey, place: Place, layer: Int, stream: Int, step: Int) -> UInt64 {
        var h = combine(key.seed, key.window)
        h = combine(h, place.rawValue)
        h = combine(h, UInt64(layer))
        h = combine(h, UInt64(bitPattern: Int64(stream)))
        return combine(h, UInt64(step))
    }

    /// The drop threshold on 16 random bits: ⌊p · 2¹⁶⌋.
    public static func threshold(_ p: Double) -> UInt64 { UInt64(p * 65_536) }

    /// Fills `count` scale values (0 or `scale`) of one row: element j keeps when its bits
    /// reach `threshold`.
    @inline(__always)
    static func fillRow<T: TensorScalar>(_ dst: UnsafeMutablePointer<T>, count: Int, base: UInt64,
                                         threshold: UInt64, scale: T) {
        // Blocks of 256: the hashes into a stack scratch, then a branch-free select over its
        // 16-bit chunks (little-endian order: chunk j mod 4 from the lowest bits) that vectorises.
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 256) { scratch in
            let chunks = scratch.baseAddress!, raw = UnsafeMutableRawPointer(chunks)
            let t = UInt16(threshold)
            var j0 = 0
            var k: UInt64 = 1
            while j0 < count {
                let n = min(256, count - j0)
                for w in 0..<(n + 3) / 4 {
                    // Little-endian bytes, so chunk c of the word is element 4w + c on any host.
                    raw.storeBytes(of: fmix(base &+ k &* gamma).littleEndian, toByteOffset: 8 * w, as: UInt64.self)
                    k += 1
                }
                for c in 0..<n { chunks[c] = UInt16(littleEndian: chunks[c]) }
                let out = dst + j0
                for c in 0..<n { out[c] = chunks[c] >= t ? scale : 0 }
                j0 += n
            }
        }
    }
}
