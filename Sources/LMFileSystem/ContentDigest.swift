/// What a file held when it was read: its size and SHA-256, so a run can tell whether the
/// same data is given again (whatever the path is called).
public struct ContentDigest: Codable, Sendable, Equatable, CustomStringConvertible {
    /// Size in bytes.
    public var bytes: Int
    /// SHA-256, 64 lowercase hex digits.
    public var sha256: String

    public init(bytes: Int, sha256: String) {
        self.bytes = bytes
        self.sha256 = sha256
    }

    /// "SHA-256 ab12…, 1234 bytes".
    public var description: String { "SHA-256 \(sha256) (\(bytes) bytes)" }
}
