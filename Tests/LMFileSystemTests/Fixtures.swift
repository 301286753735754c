import Foundation

/// Test fixtures: the shared time machine corpus.
enum Fixtures {
    /// d2l's time machine: from $LM_CORPUS_MIRROR, else ../shared/data beside the repository.
    static var timeMachine: String {
        if let mirror = ProcessInfo.processInfo.environment["LM_CORPUS_MIRROR"], !mirror.isEmpty {
            return mirror + "/timemachine.txt"
        }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repository.deletingLastPathComponent().path + "/shared/data/timemachine.txt"
    }
}
