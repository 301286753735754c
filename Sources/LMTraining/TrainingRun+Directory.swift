import Foundation
import LMModelFiles
import LMSettings

extension TrainingRun {
    /// Owns `path` when it already exists (see ``RunDirectory/claim()``); nil when it does not.
    static func claimIfExists(_ path: String) throws -> RunLock? {
        FileManager.default.fileExists(atPath: path) ? try RunDirectory(path: path).claim() : nil
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
