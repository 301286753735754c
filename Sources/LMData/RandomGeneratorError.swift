/// Errors restoring a ``RandomGenerator``.
public enum RandomGeneratorError: Error, Equatable, CustomStringConvertible {
    /// All four state words were zero; xoshiro256** cannot leave that state.
    case zeroState
    /// The saved state names another algorithm.
    case unknownAlgorithm(String)
    /// The saved state is not four hexadecimal 64-bit words.
    case malformedState([String])

    /// An actionable, human-readable explanation of the error.
    public var description: String {
        switch self {
        case .zeroState:
            return "random generator state is all zeros, which xoshiro256** can never reach; "
                + "seed with RandomGenerator(seed:) instead"
        case .unknownAlgorithm(let name):
            return "saved random generator uses '\(name)', but this build implements "
                + "'\(RandomGenerator.algorithmName)'; the checkpoint was written by another generator"
        case .malformedState(let words):
            return "saved random generator state \(words) is not four 64-bit hexadecimal words"
        }
    }
}
