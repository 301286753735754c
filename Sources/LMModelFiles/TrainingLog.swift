import Foundation
import LMFileSystem
import LMText

/// `log.jsonl`: one JSON object per epoch (see `EpochReport`), rewritten atomically after
/// every epoch so a crash never leaves a torn line.
public struct TrainingLog {
    public let path: String
    public private(set) var reports: [EpochReport] = []

    /// A log at `path`; with `keepingThrough`, the epochs already in the file up to that one
    /// are kept (a resumed run), otherwise it starts empty.
    public init(path: String, keepingThrough epoch: Int? = nil) {
        self.path = path
        guard let epoch, let data = FileManager.default.contents(atPath: path) else { return }
        let decoder = JSONDecoder()
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            if let report = try? decoder.decode(EpochReport.self, from: Data(line.utf8)), report.epoch <= epoch {
                reports.append(report)
            }
        }
    }

    /// Adds an epoch and rewrites the file.
    public mutating func append(_ report: EpochReport) throws {
        reports.append(report)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for report in reports {
            data.append(try encoder.encode(report))
            data.append(0x0A)
        }
        try AtomicFile.write(data, to: path)
    }
}
