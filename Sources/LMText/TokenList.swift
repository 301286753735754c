/// Collects tokens into an array.
public struct TokenList: TokenSink {
    /// The tokens received so far.
    public var tokens: [String] = []
    /// An empty list.
    public init() {}
    public mutating func consume(_ token: String) { tokens.append(token) }
}
