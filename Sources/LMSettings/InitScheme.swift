/// How the weights start, by name (`lm-train --init`): a name and an optional scale for a
/// ``ModelConfig/Initialization``.
public enum InitScheme: String, CaseIterable, Sendable {
    /// N(0, 1) × scale (d2l's scratch models; scale 0.01 by default).
    case normal
    /// Xavier (Glorot) uniform.
    case xavier
    /// Uniform in ±scale (0.1 by default).
    case uniform
    /// PyTorch's module defaults per part (no scale; see ``ModelConfig/Initialization/pytorch``).
    case pytorch

    /// The initialization with `scale` (nil for the scheme's default; Xavier has none).
    public func initialization(scale: Double?) -> ModelConfig.Initialization {
        switch self {
        case .normal: .normal(scale: scale ?? 0.01)
        case .xavier: .xavierUniform
        case .uniform: .uniform(bound: scale ?? 0.1)
        case .pytorch: .pytorch
        }
    }

    /// An initialization written `SCHEME[:SCALE]` (`normal:1`, `uniform:0.1`, `xavier`,
    /// `pytorch`); nil when the scheme is unknown, the scale is not a positive number, or
    /// xavier or pytorch has one.
    public static func initialization(parsing text: String) -> ModelConfig.Initialization? {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let scheme = InitScheme(rawValue: String(parts[0])) else { return nil }
        guard parts.count == 2 else { return scheme.initialization(scale: nil) }
        guard scheme == .normal || scheme == .uniform, let scale = Double(parts[1]), scale > 0, scale.isFinite else { return nil }
        return scheme.initialization(scale: scale)
    }
}
