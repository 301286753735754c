/// Why a ``Download`` failed.
public enum DownloadError: Error, CustomStringConvertible, Equatable {
    /// There is no `curl` to download with.
    case noDownloader(url: String)
    /// The transfer failed; `reason` is curl's message (or its exit status).
    case failed(url: String, reason: String)

    public var description: String {
        switch self {
        case let .noDownloader(url): return "cannot download \(url): curl is not installed"
        case let .failed(url, reason): return "download of \(url) failed (\(reason))"
        }
    }
}
