import Foundation
import LMTestSupport

/// Test fixtures: temporary files and the shared time machine corpus.
enum Fixtures {
    /// A new empty temporary directory.
    static func temporaryDirectory() -> String {
        TemporaryFolders.make("lmtext")
    }

    /// Writes `bytes` to a new temporary file and returns its path.
    static func file(_ bytes: [UInt8], name: String = "corpus.txt") -> String {
        let path = temporaryDirectory() + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    /// Writes `text` to a new temporary file and returns its path.
    static func file(_ text: String, name: String = "corpus.txt") -> String {
        file(Array(text.utf8), name: name)
    }

    /// A file committed under `Tests/Fixtures/` (`name` is its path there).
    static func committed(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    /// d2l's time machine: from $LM_CORPUS_MIRROR, else ../shared/data beside the repository.
    static var timeMachine: String {
        if let mirror = ProcessInfo.processInfo.environment["LM_CORPUS_MIRROR"], !mirror.isEmpty {
            return mirror + "/timemachine.txt"
        }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repository.deletingLastPathComponent().path + "/shared/data/timemachine.txt"
    }
}
