import Foundation
import LMModelFiles
import LMModels

/// Fuzz target: bytes as a run's config.json. Reading either throws `ModelFileError` or gives a
/// configuration that survives write → read unchanged.
let run = RunDirectory(path: NSTemporaryDirectory() + "lmkit-fuzz-config-\(getpid())")
let again = RunDirectory(path: run.path + "-again")

func check(_ data: Data) {
    try? FileManager.default.createDirectory(atPath: run.path, withIntermediateDirectories: true)
    try? FileManager.default.createDirectory(atPath: again.path, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: run.configPath, contents: data)
    let config: RunConfig
    do { config = try run.readConfig() } catch is ModelFileError { return } catch { fatalError("untyped error: \(error)") }
    do {
        try again.writeConfig(config)
        let reread = try again.readConfig()
        precondition(String(describing: reread) == String(describing: config), "write → read changed the configuration")
    } catch { fatalError("a read configuration failed its round trip: \(error)") }
}

/// Seeds written by the project: a default character RNN run's config.json, with and without a learning-rate decay.
func writeSeeds(to directory: String) throws {
    var options = TrainingOptions(corpus: "corpora/timemachine.txt")
    try RunDirectory(path: directory + "/plain").create()
    try RunDirectory(path: directory + "/plain").writeConfig(RunConfig(model: ModelConfig(kind: .rnn, vocabularySize: 28, hiddenSize: 32), training: options))
    options.decay = TrainingOptions.Decay(factor: 0.5, every: 10)
    try RunDirectory(path: directory + "/decay").create()
    try RunDirectory(path: directory + "/decay").writeConfig(RunConfig(model: ModelConfig(kind: .lstm, vocabularySize: 30, embeddingSize: 8, hiddenSize: 16, layers: 2), training: options))
    for name in ["plain", "decay"] {
        try FileManager.default.moveItem(atPath: directory + "/\(name)/config.json", toPath: directory + "/\(name).json")
        try FileManager.default.removeItem(atPath: directory + "/\(name)")
    }
}

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

@main struct FuzzRunConfig {
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
