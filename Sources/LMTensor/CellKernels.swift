/// Fused per-row element-wise work of an LSTM step, as `TensorScalar` requirements so that
/// `Float` runs explicit 16-lane SIMD code (in place, no alias checks, one pass instead of
/// five) while `Double` runs the plain loops below (the path the gradient checks exercise).
/// Gate order in a row of 4·h: [I | F | O | C̃].
extension TensorScalar {
    /// Plain-loop LSTM forward of one row; see ``TensorScalar/lstmForward(gates:cell:newCell:tanhCell:hidden:count:)``.
    @inlinable
    public static func lstmForwardLoops(gates g: UnsafeMutablePointer<Self>, cell c: UnsafePointer<Self>,
                                        newCell cn: UnsafeMutablePointer<Self>, tanhCell tc: UnsafeMutablePointer<Self>,
                                        hidden hn: UnsafeMutablePointer<Self>, count h: Int) {
        Self.sigmoid(g, g, count: 3 * h)
        Self.tanh(g + 3 * h, g + 3 * h, count: h)
        for j in 0..<h { cn[j] = g[h + j] * c[j] + g[j] * g[3 * h + j] }
        Self.tanh(cn, tc, count: h)
        for j in 0..<h { hn[j] = g[2 * h + j] * tc[j] }
    }

    /// Plain-loop LSTM backward of one row; see ``TensorScalar/lstmBackward(gates:cell:tanhCell:hiddenGradient:cellGradient:gateGradients:count:)``.
    @inlinable
    public static func lstmBackwardLoops(gates g: UnsafePointer<Self>, cell c: UnsafePointer<Self>,
                                         tanhCell tc: UnsafePointer<Self>, hiddenGradient d: UnsafePointer<Self>,
                                         cellGradient carry: UnsafeMutablePointer<Self>,
                                         gateGradients dg: UnsafeMutablePointer<Self>, count h: Int) {
        for j in 0..<h {
            let i = g[j], f = g[h + j], o = g[2 * h + j], cc = g[3 * h + j]
            let dc = carry[j] + d[j] * o * (1 - tc[j] * tc[j])
            dg[j] = dc * cc * i * (1 - i)
            dg[h + j] = dc * c[j] * f * (1 - f)
            dg[2 * h + j] = d[j] * tc[j] * o * (1 - o)
            dg[3 * h + j] = dc * i * (1 - cc * cc)
            carry[j] = dc * f
        }
    }

    public static func lstmForward(gates: UnsafeMutablePointer<Self>, cell: UnsafePointer<Self>,
                                   newCell: UnsafeMutablePointer<Self>, tanhCell: UnsafeMutablePointer<Self>,
                                   hidden: UnsafeMutablePointer<Self>, count: Int) {
        lstmForwardLoops(gates: gates, cell: cell, newCell: newCell, tanhCell: tanhCell, hidden: hidden, count: count)
    }

    public static func lstmBackward(gates: UnsafePointer<Self>, cell: UnsafePointer<Self>, tanhCell: UnsafePointer<Self>,
                                    hiddenGradient: UnsafePointer<Self>, cellGradient: UnsafeMutablePointer<Self>,
                                    gateGradients: UnsafeMutablePointer<Self>, count: Int) {
        lstmBackwardLoops(gates: gates, cell: cell, tanhCell: tanhCell, hiddenGradient: hiddenGradient,
                          cellGradient: cellGradient, gateGradients: gateGradients, count: count)
    }
}

extension VectorMath {
    typealias V16 = SIMD16<Float>

    /// e^x on 16 lanes, x already in [−87, 88] (same polynomial as the scalar `expClamped`).
    @_transparent
    static func exp16(_ x0: V16) -> V16 {
        let magic = V16(repeating: 12582912)
        let t = x0 * 1.44269504088896341 + magic
        let n = t - magic
        var x = x0 - n * 0.693359375
        x = x - n * -2.12194440e-4
        let z = x * x
        var y = V16(repeating: 1.9875691500E-4)
        y = y * x + 1.3981999507E-3
        y = y * x + 8.3334519073E-3
        y = y * x + 4.1665795894E-2
        y = y * x + 1.6666665459E-1
        y = y * x + 5.0000001201E-1
        y = y * z + x + 1
        let bits = (unsafeBitCast(t, to: SIMD16<UInt32>.self) &+ 127) &<< 23
        return y * unsafeBitCast(bits, to: V16.self)
    }

    /// Lane-wise max(a, b) as one compare and blend; a NaN in `a` stays (the standard
    /// library's `pointwiseMax` applies `maximum`'s NaN rule lane by lane, which compiles to
    /// scalar code).
    @_transparent
    static func lanesMax(_ a: V16, _ b: V16) -> V16 { a.replacing(with: b, where: a .< b) }

    /// Lane-wise min(a, b) as one compare and blend; a NaN in `a` stays.
    @_transparent
    static func lanesMin(_ a: V16, _ b: V16) -> V16 { a.replacing(with: b, where: b .< a) }

    @_transparent
    static func sigmoid16(_ v: V16) -> V16 {
        let m = lanesMin(lanesMax(-v, V16(repeating: -87)), V16(repeating: 88))
        return 1 / (1 + exp16(m))
    }

    @_transparent
    static func tanh16(_ v: V16) -> V16 {
        let b = unsafeBitCast(v, to: SIMD16<UInt32>.self)
        let a = unsafeBitCast(b & 0x7fff_ffff, to: V16.self)
        let u = exp16(lanesMax(-2 * a, V16(repeating: -87)))
        let t = (1 - u) / (1 + u)
        return unsafeBitCast(unsafeBitCast(t, to: SIMD16<UInt32>.self) | (b & 0x8000_0000), to: V16.self)
    }

    static func lstmForward(_ g: UnsafeMutablePointer<Float>, _ c: UnsafePointer<Float>, _ cn: UnsafeMutablePointer<Float>,
                            _ tc: UnsafeMutablePointer<Float>, _ hn: UnsafeMutablePointer<Float>, _ h: Int) {
        var j = 0
        while j + 16 <= h {
            let i = sigmoid16(load16(g + j)), f = sigmoid16(load16(g + h + j))
            let o = sigmoid16(load16(g + 2 * h + j)), cc = tanh16(load16(g + 3 * h + j))
            store16(i, g + j); store16(f, g + h + j); store16(o, g + 2 * h + j); store16(cc, g + 3 * h + j)
            let cell = f * load16(c + j) + i * cc
            let t = tanh16(cell)
            store16(cell, cn + j); store16(t, tc + j); store16(o * t, hn + j)
            j += 16
        }
        if j < h {
            // Ragged tail: the scalar kernels on the remaining columns of each gate block.
            for gate in 0..<3 { sigmoid(g + gate * h + j, g + gate * h + j, h - j) }
            tanh(g + 3 * h + j, g + 3 * h + j, h - j)
            for k in j..<h { cn[k] = g[h + k] * c[k] + g[k] * g[3 * h + k] }
            tanh(cn + j, tc + j, h - j)
            for k in j..<h { hn[k] = g[2 * h + k] * tc[k] }
        }
    }

    static func lstmBackward(_ g: UnsafePointer<Float>, _ c: UnsafePointer<Float>, _ tc: UnsafePointer<Float>,
                             _ d: UnsafePointer<Float>, _ carry: UnsafeMutablePointer<Float>,
                             _ dg: UnsafeMutablePointer<Float>, _ h: Int) {
        var j = 0
        while j + 16 <= h {
            let i = load16(g + j), f = load16(g + h + j), o = load16(g + 2 * h + j), cc = load16(g + 3 * h + j)
            let t = load16(tc + j), dh = load16(d + j)
            let dc = load16(carry + j) + dh * o * (1 - t * t)
            store16(dc * cc * i * (1 - i), dg + j)
            store16(dc * load16(c + j) * f * (1 - f), dg + h + j)
            store16(dh * t * o * (1 - o), dg + 2 * h + j)
            store16(dc * i * (1 - cc * cc), dg + 3 * h + j)
            store16(dc * f, carry + j)
            j += 16
        }
        for k in j..<h {
            let i = g[k], f = g[h + k], o = g[2 * h + k], cc = g[3 * h + k]
            let dc = carry[k] + d[k] * o * (1 - tc[k] * tc[k])
            dg[k] = dc * cc * i * (1 - i)
            dg[h + k] = dc * c[k] * f * (1 - f)
            dg[2 * h + k] = d[k] * tc[k] * o * (1 - o)
            dg[3 * h + k] = dc * i * (1 - cc * cc)
            carry[k] = dc * f
        }
    }
}
