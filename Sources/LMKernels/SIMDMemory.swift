/// Unaligned 16- and 4-lane `Float` loads and stores, the memory side of LMKit's SIMD
/// kernels (the recurrent tiles, the vector-matrix kernels, LMTensor's fused activations). Pointers need no
/// alignment; lanes are consecutive elements.

/// The 16 floats at `p`.
@inlinable @inline(__always)
public func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

/// The 4 floats at `p`.
@inlinable @inline(__always)
public func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
}

/// Writes the 16 lanes of `v` to `p`.
@inlinable @inline(__always)
public func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// p[0..<16] += v.
@inlinable @inline(__always)
public func add(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float>) {
    store16(load16(p) + v, p)
}

/// p[0..<4] += v.
@inlinable @inline(__always)
public func add(_ v: SIMD4<Float>, to p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: load4(p) + v, as: SIMD4<Float>.self)
}
