import LMFileSystem
import LMModelFiles
import LMText

extension TrainingRun {
    /// Resume compares data by content: a corpus (or validation or test file) whose size or
    /// SHA-256 differs from the recorded one is refused with both; the same content under
    /// another path spelling is accepted. On return the paths and digests of `saved` and
    /// `requested` are made equal, so the settings comparison that follows ignores them.
    /// Runs written before LMKit recorded digests (no `data`) still compare paths.
    static func checkSameData(saved: inout RunConfig, requested: inout RunConfig, directory: String) throws {
        guard let old = saved.data else {
            requested.data = nil
            return
        }
        let new = requested.data ?? RunData()
        let parts: [(String, KeyPath<RunData, ContentDigest?>, WritableKeyPath<TrainingOptions, String?>?)] = [
            ("corpus", \.corpus, nil), ("validation file", \.valid, \.validFile), ("test file", \.test, \.testFile)]
        for (name, digest, file) in parts {
            guard let recorded = old[keyPath: digest], let given = new[keyPath: digest] else { continue }
            let path = file.flatMap { requested.training[keyPath: $0] } ?? requested.training.corpus
            guard recorded == given else {
                throw TrainingError.resumeMismatch("the \(name) \(path) changed since the run began: it now has \(given), the run was trained on \(recorded)")
            }
            if let file { saved.training[keyPath: file] = requested.training[keyPath: file] }
        }
        if old.corpus != nil && new.corpus != nil { saved.training.corpus = requested.training.corpus }
        saved.data = nil
        requested.data = nil
    }
}
