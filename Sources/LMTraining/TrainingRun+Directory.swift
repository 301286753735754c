import Foundation
import LMModelFiles
import LMSettings

extension TrainingRun {
    /// Owns `path` when it already exists (see ``RunDirectory/claim()``); nil when it does not.
    static func claimIfExists(_ path: String) throws -> RunLock? {
        FileManager.default.fileExists(atPath: path) ? try RunDirectory(path: path).claim() : nil
    }

    /// Refuses a run one of whose inputs (corpus, vocabulary, validation or test file) is one of
    /// the files it writes in `directory` (the same file by device and inode, however the path
    /// is spelled): `run.overwrite` or the first save would replace the text or vocabulary read.
    static func checkInputs(_ data: DataSettings, corpus: String, resolve: (String) throws -> String,
                            against directory: RunDirectory) throws {
        let own = directory.ownFiles
        let inputs = [("data.corpus", corpus), ("data.vocabulary", data.vocabulary),
                      ("data.validFile", try data.validFile.map(resolve)), ("data.testFile", try data.testFile.map(resolve))]
        for case let (key, path?) in inputs {
            guard let file = own.input(overwrittenBy: path) else { continue }
            throw SettingsError(.conflict, key, "\(setting: key) \(path) is \(file), a file of the run directory \(directory.path) that this run writes; copy it elsewhere or choose another \(setting: "run.output")")
        }
    }

    /// What a claimed directory needs before the run writes: a run that appeared while this
    /// one was set up is refused (as one found at the start is), crash debris is removed,
    /// files under LMKit's names must be LMKit's, and `overwrite` deletes the old run's files.
    static func prepare(_ directory: RunDirectory, for run: RunSettings, claimedEarly: Bool) throws {
        if !claimedEarly && run.resume == nil && !run.overwrite && directory.holdsRun {
            throw alreadyHoldsRun(directory.path)
        }
        directory.removeDebris()
        if run.overwrite {
            try directory.removeRunFiles()
        } else if run.resume != nil {
            let foreign = directory.foreignFilesUnderRunNames()
            guard foreign.isEmpty else { throw RunDirectoryError.foreignFiles(path: directory.path, files: foreign) }
        }
    }
}
