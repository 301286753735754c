import Foundation
import LMText

/// Fuzz target: bytes as a vocabulary file. Loading either throws `TextError` or gives a file
/// whose vocabulary builds and which survives save → load unchanged.
let scratch = NSTemporaryDirectory() + "lmkit-fuzz-vocabulary-\(getpid())"

func check(_ data: Data) {
    let path = scratch + ".json"
    _ = FileManager.default.createFile(atPath: path, contents: data)
    let file: VocabularyFile
    do { file = try VocabularyFile.load(from: path) } catch is TextError { return } catch { fatalError("untyped error: \(error)") }
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

// libFuzzer entry point when built with -DFUZZING (bin/fuzz); otherwise a replay tool that runs
// each file given as an argument through the same check (to reproduce a crash artifact).
#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    check(Data(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

@main struct FuzzVocabulary {
    static func main() {
        if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--write-seeds" {
            do { try writeSeeds(to: CommandLine.arguments[2]) } catch { fatalError("cannot write seeds: \(error)") }
            return
        }
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
        #else
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { fatalError("cannot read \(path)") }
            check(data)
            print("\(path): ok")
        }
        #endif
    }
}
