import Foundation

/// Fetches a URL into a file with the system's `curl` (following redirects, 15 s to connect,
/// at most 300 s in all), so the kit needs no networking library of its own.
public enum Download {
    /// Where `curl` is expected (Debian's `curl` package; bin/setup installs it).
    public static let curl = "/usr/bin/curl"

    /// Writes what `url` serves to `path` (replacing it; a failed transfer may leave part of it).
    /// - Throws: ``DownloadError/noDownloader(url:)`` when `curl` is not installed,
    ///   ``DownloadError/failed(url:reason:)`` with curl's own message when the transfer fails.
    public static func fetch(_ url: String, to path: String) throws {
        guard FileManager.default.isExecutableFile(atPath: curl) else { throw DownloadError.noDownloader(url: url) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: curl)
        process.arguments = ["-fsSL", "--connect-timeout", "15", "--max-time", "300", "-o", path, url]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            throw DownloadError.failed(url: url, reason: message.isEmpty ? "curl exit \(process.terminationStatus)" : message)
        }
    }
}
