import LMTensor

/// Fills parameters according to ``ModelConfig/Initialization``.
public enum Initializer {
    /// Initialises one parameter in place. `gateWidth` is the column width of one gate block
    /// (fan-out for Xavier); biases (vector parameters) are zeroed except under `.uniform`.
    public static func initialize<T: TensorScalar>(
        _ p: Parameter<T>, scheme: ModelConfig.Initialization, gateWidth: Int,
        using generator: inout some RandomNumberGenerator
    ) {
        let v = p.value
        switch scheme {
        case .normal(let scale):
            if p.isVector { v.zero(); return }
            var i = 0
            while i < v.count {
                // Box–Muller: two independent N(0, 1) samples per pair of uniforms.
                let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
                let u2 = Double.random(in: 0..<1, using: &generator)
                let r = (-2 * Double.log(u1)).squareRoot()
                v[i] = T(r * Double.cos(2 * .pi * u2) * scale)
                if i + 1 < v.count { v[i + 1] = T(r * Double.sin(2 * .pi * u2) * scale) }
                i += 2
            }
        case .xavierUniform:
            if p.isVector { v.zero(); return }
            let a = (6.0 / Double(p.rows + gateWidth)).squareRoot()
            for i in 0..<v.count { v[i] = T(Double.random(in: -a...a, using: &generator)) }
        case .uniform(let a):
            for i in 0..<v.count { v[i] = T(Double.random(in: -a...a, using: &generator)) }
        }
    }
}
