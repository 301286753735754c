import Foundation
import LMTestSupport
@testable import LMModelFiles
import LMModels
import LMSettings
import Testing

/// Seeded mutation loops over the model-file loaders (bin/fuzz runs the same checks under
/// libFuzzer): every mutant loads or throws `ModelFileError`, never traps, and what loads round-trips.
@Suite struct LoaderFuzzTests {
    static func temporaryDirectory() -> String {
        TemporaryFolders.make("lmfiles")
    }

    static func bits(_ tensors: [SafeTensors.Tensor]) -> [[UInt32]] { tensors.map { $0.values.map(\.bitPattern) } }

    @Test func mutatedSafeTensorsDecodeOrThrowModelFileErrors() throws {
        let seeds = [
            Array(try SafeTensors.encode([SafeTensors.Tensor(name: "rnn.0.W_xh", shape: [2, 3], values: [1, 2, 3, 4, 5, -6.5]),
                                          SafeTensors.Tensor(name: "output.b_q", shape: [3], values: [0.25, 3e38, -0])],
                                         metadata: ["epoch": "3"])),
            Array(try SafeTensors.encode([SafeTensors.Tensor(name: "x", shape: [2, 2], values: [.nan, .infinity, -.infinity, .leastNonzeroMagnitude]),
                                          SafeTensors.Tensor(name: "empty", shape: [0], values: [])])),
        ]
        var mutations = Mutations(seed: 7)
        var decoded = 0, refused = 0
        for round in 0..<3000 {
            var mutant = mutations.mutate(seeds[round % 2], other: seeds[(round + 1) % 2])
            if round % 10 == 0, mutant.count >= 8 {
                // A malformed header length: huge, past the end, or off by one.
                let length = [UInt64.max, UInt64(Int.max), UInt64(mutant.count), UInt64(mutations.below(mutant.count))][mutations.below(4)]
                mutant.replaceSubrange(0..<8, with: withUnsafeBytes(of: length.littleEndian, Array.init))
            }
            do {
                let (tensors, metadata) = try SafeTensors.decode(Data(mutant), path: "m.safetensors")
                decoded += 1
                for tensor in tensors { #expect(tensor.shape.reduce(1, *) == tensor.values.count) }
                let again = try SafeTensors.decode(try SafeTensors.encode(tensors, metadata: metadata), path: "again")
                #expect(again.metadata == metadata && again.tensors.map(\.shape) == tensors.map(\.shape) && Self.bits(again.tensors) == Self.bits(tensors))
            } catch let error as ModelFileError {
                refused += 1
                #expect(error.description.hasPrefix("m.safetensors: "))
            }
        }
        #expect(decoded > 0 && refused > 0, "decoded \(decoded), refused \(refused)")
    }

    @Test(arguments: [[Int.max, 2], [1 << 32, 1 << 32], [3, -1 &+ (1 << 62)], [1 << 62, 4, 0]])
    func shapesWhoseElementCountOverflowsAreRefused(shape: [Int]) throws {
        let header = Data(#"{"w":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,16]}}"#.utf8)
        let data = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Data($0) } + header + Data(count: 16)
        do {
            let (tensors, _) = try SafeTensors.decode(data, path: "m.safetensors")
            // Only a shape with a zero dimension and no overflow could load; none of these fit 16 bytes.
            Issue.record("loaded \(tensors.map(\.shape))")
        } catch let error as ModelFileError {
            #expect(error.description.contains("tensor w"), "\(error)")
        }
    }

    @Test func mutatedConfigFilesReadOrThrowModelFileErrors() throws {
        var options = TrainingOptions(corpus: "corpora/timemachine.txt")
        let seedRun = RunDirectory(path: Self.temporaryDirectory())
        try seedRun.writeConfig(RunConfig(model: ModelConfig(kind: .rnn, vocabularySize: 28, hiddenSize: 32), training: options))
        let plain = Array(try Data(contentsOf: URL(fileURLWithPath: seedRun.configPath)))
        options.decay = TrainingOptions.Decay(factor: 0.5, every: 10)
        try seedRun.writeConfig(RunConfig(model: ModelConfig(kind: .lstm, vocabularySize: 30, embeddingSize: 8, hiddenSize: 16, layers: 2),
                                          training: options))
        let seeds = [plain, Array(try Data(contentsOf: URL(fileURLWithPath: seedRun.configPath)))]
        let run = RunDirectory(path: Self.temporaryDirectory()), again = RunDirectory(path: Self.temporaryDirectory())
        var mutations = Mutations(seed: 5)
        var read = 0, refused = 0
        for round in 0..<400 {
            FileManager.default.createFile(atPath: run.configPath, contents: Data(mutations.mutate(seeds[round % 2], other: seeds[(round + 1) % 2])))
            do {
                let config = try run.readConfig()
                read += 1
                try again.writeConfig(config)
                #expect(String(describing: try again.readConfig()) == String(describing: config))
            } catch let error as ModelFileError {
                refused += 1
                #expect(error.description.hasPrefix(run.path + ": "), "\(error)")
            }
        }
        #expect(read > 0 && refused > 0, "read \(read), refused \(refused)")
    }
}
