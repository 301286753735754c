import LMSettings
import LMTensor

/// Fills parameters according to ``ModelConfig/Initialization``.
public enum Initializer {
    /// Which part of a network a parameter belongs to: what `.pytorch` means depends on it
    /// (the module PyTorch would build there), and it gives the other schemes their gate width.
    public enum Part: Sendable, Equatable {
        /// The input layer (an embedding: `nn.Embedding`, N(0, 1), under `.pytorch`).
        case input
        /// A recurrent layer of `hidden` units (weights and biases U(±1/√hidden) under `.pytorch`).
        case recurrent(hidden: Int)
        /// The head, reading `fanIn` values per row (`nn.Linear`: weight and bias U(±1/√fanIn)).
        case output(fanIn: Int)
    }

    /// Initialises one parameter of `part` in place. `.normal`, `.xavierUniform` and
    /// `.uniform` behave as ``initialize(_:scheme:gateWidth:using:)`` with the gate width of a
    /// recurrent layer's blocks (H) or, for the input and the head, the parameter's columns.
    public static func initialize<T: TensorScalar>(
        _ p: Parameter<T>, scheme: ModelConfig.Initialization, part: Part,
        using generator: inout some RandomNumberGenerator
    ) {
        switch (scheme, part) {
        case (.pytorch, .input): fillNormal(p.value, scale: 1, using: &generator)
        case (.pytorch, .recurrent(let h)): fillUniform(p.value, bound: 1 / Double(h).squareRoot(), using: &generator)
        case (.pytorch, .output(let fanIn)): fillUniform(p.value, bound: 1 / Double(fanIn).squareRoot(), using: &generator)
        case (_, .recurrent(let h)): initialize(p, scheme: scheme, gateWidth: h, using: &generator)
        case (_, .input), (_, .output): initialize(p, scheme: scheme, gateWidth: p.cols, using: &generator)
        }
    }

    /// Initialises one parameter in place. `gateWidth` is the column width of one gate block
    /// (fan-out for Xavier); biases (vector parameters) are zeroed except under `.uniform`.
    /// `.pytorch` here fills weights and biases with U(±1/√gateWidth) (its recurrent rule;
    /// ``initialize(_:scheme:part:using:)`` knows the other parts).
    public static func initialize<T: TensorScalar>(
        _ p: Parameter<T>, scheme: ModelConfig.Initialization, gateWidth: Int,
        using generator: inout some RandomNumberGenerator
    ) {
        let v = p.value
        switch scheme {
        case .normal(let scale):
            if p.isVector { v.zero(); return }
            fillNormal(v, scale: scale, using: &generator)
        case .xavierUniform:
            if p.isVector { v.zero(); return }
            let a = (6.0 / Double(p.rows + gateWidth)).squareRoot()
            fillUniform(v, bound: a, using: &generator)
        case .uniform(let a):
            fillUniform(v, bound: a, using: &generator)
        case .pytorch:
            fillUniform(v, bound: 1 / Double(gateWidth).squareRoot(), using: &generator)
        }
    }

    /// N(0, 1) × scale for every value, by Box–Muller: two samples per pair of uniforms.
    static func fillNormal<T: TensorScalar>(_ v: Buffer<T>, scale: Double, using generator: inout some RandomNumberGenerator) {
        var i = 0
        while i < v.count {
            let u1 = Double.random(in: Double.ulpOfOne..<1, using: &generator)
            let u2 = Double.random(in: 0..<1, using: &generator)
            let r = (-2 * Double.log(u1)).squareRoot()
            v[i] = T(r * Double.cos(2 * .pi * u2) * scale)
            if i + 1 < v.count { v[i + 1] = T(r * Double.sin(2 * .pi * u2) * scale) }
            i += 2
        }
    }

    /// U(±a) for every value.
    static func fillUniform<T: TensorScalar>(_ v: Buffer<T>, bound a: Double, using generator: inout some RandomNumberGenerator) {
        for i in 0..<v.count { v[i] = T(Double.random(in: -a...a, using: &generator)) }
    }
}
