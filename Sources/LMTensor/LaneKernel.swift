/// Element-wise work on a row of `count` units, written once over ``Lanes``: ``run(count:)``
/// calls it on blocks of ``TensorScalar/Block`` (16-lane SIMD for `Float`) and then on the
/// single units left over, so the fast path and the tail are one definition.
public protocol LaneKernel {
    associatedtype Scalar: TensorScalar
    /// The work on the `L.width` units from `j`.
    func callAsFunction<L: Lanes>(_ lanes: L.Type, at j: Int) where L.Element == Scalar
}

extension LaneKernel {
    /// Runs the work on units 0..<count: blocks of `Scalar.Block`, then single units.
    ///
    /// Not inlined: a cell's unspecialised entry (a protocol witness on the way to its `Float`
    /// specialisation) would otherwise instantiate the math's generic tuple types on every call.
    @inlinable @inline(never)
    public func run(count: Int) {
        let width = Scalar.Block.width
        var j = 0
        while j + width <= count { self(Scalar.Block.self, at: j); j += width }
        while j < count { self(Scalar.self, at: j); j += 1 }
    }
}
