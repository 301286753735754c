import Foundation
import FuzzDriver
import LMFileSystem
import LMText

/// Fuzz target: bytes as a vocabulary file. Loading either throws `TextError` (or `FileError`) or gives a file
/// whose vocabulary builds and which survives save → load unchanged.
let scratch = NSTemporaryDirectory() + "lmkit-fuzz-vocabulary-\(getpid())"

func check(_ data: Data) {
    let path = scratch + ".json"
    _ = FileManager.default.createFile(atPath: path, contents: data)
    let file: VocabularyFile
    do { file = try VocabularyFile.load(from: path) } catch is TextError { return } catch is FileError { return } catch { fatalError("untyped error: \(error)") }
    do {
        let vocabulary = try file.vocabulary()
        precondition(vocabulary.count == file.tokens.count, "vocabulary size differs from the file's tokens")
        try file.save(to: scratch + "-again.json")
        let reloaded = try VocabularyFile.load(from: scratch + "-again.json")
        precondition(reloaded == file, "save → load changed the vocabulary")
    } catch { fatalError("a loaded vocabulary failed its round trip: \(error)") }
}

/// Seeds beyond the committed vocabularies: none.
func writeSeeds(to directory: String) throws {}

@main struct FuzzVocabulary {
    static func main() { FuzzDriver.main(check: check, writeSeeds: writeSeeds(to:)) }
}
