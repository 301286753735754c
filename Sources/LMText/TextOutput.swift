/// Where a library run writes its text: the tools' buffered stdout, or a string in tests.
public protocol TextOutput: AnyObject {
    /// Adds `text` (the output may hold it back until ``flush()``).
    func write(_ text: String)
    /// Writes out everything held back.
    func flush()
}
