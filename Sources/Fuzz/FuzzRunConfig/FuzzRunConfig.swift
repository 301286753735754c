import Foundation
import FuzzDriver
import LMModelFiles
import LMModels
import LMSettings

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

@main struct FuzzRunConfig {
    static func main() { FuzzDriver.main(check: check, writeSeeds: writeSeeds(to:)) }
}
