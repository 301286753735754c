import Foundation
import LMData
import LMModelFiles
import LMModels

/// The ranks after 0 of a data-parallel run: rank 0 alone reads the corpus and owns the run
/// directory, then sends the others the run's settings and its token streams; each builds
/// the same model and trainer from them (whose weights ``Trainer/train()`` then takes from
/// rank 0). Nothing is read from or written to disk on these ranks.
public enum TrainingReplica {
    /// What rank 0 sends: the settings and the streams' sizes (the ids follow as raw Int32).
    private struct Header: Codable {
        var config: RunConfig
        var directory: String
        var vocabularySize: Int
        var trainCount: Int
        var validationCount: Int?
    }

    /// Rank 0: sends the run to the other ranks.
    static func share(config: RunConfig, directory: RunDirectory, train: TokenStream, validation: TokenStream?,
                      over parallel: DataParallel) throws {
        let header = Header(config: config, directory: directory.path, vocabularySize: train.vocabularySize,
                            trainCount: train.count, validationCount: validation?.count)
        var bytes = [UInt8](try JSONEncoder().encode(header))
        var length = UInt64(bytes.count).littleEndian
        bytes.insert(contentsOf: withUnsafeBytes(of: &length) { Array($0) }, at: 0)
        for stream in [train, validation].compactMap({ $0 }) {
            stream.ids.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        _ = try parallel.communicator.broadcast(bytes, root: 0)
    }

    /// Ranks after 0: receives the run from rank 0 and trains this rank's part of it, until
    /// the end or a signal (which every rank stops at after the same step).
    /// - Throws: an error wrapped as ``TrainingError/onRank(_:_:)``, after a pause: an error
    ///   every rank meets (a diverged step) is reported by rank 0, whose exit ends the job first.
    public static func run(over parallel: DataParallel) throws -> TrainingOutcome {
        do {
            let trainer = try receive(over: parallel)
            Interrupts.install()
            return try trainer.train()
        } catch {
            sleep(2)
            throw TrainingError.onRank(parallel.rank, String(describing: error))
        }
    }

    /// Ranks after 0: receives the run from rank 0 and returns this rank's trainer.
    static func receive(over parallel: DataParallel) throws -> Trainer {
        let bytes = try parallel.communicator.broadcast([], root: 0)
        let bad = TrainingError.invalidSetting("rank \(parallel.rank): the run sent by rank 0 is malformed (are all ranks the same LMKit build?)")
        guard bytes.count >= 8 else { throw bad }
        let length = Int(bytes[0..<8].withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        guard length <= bytes.count - 8, let header = try? JSONDecoder().decode(Header.self, from: Data(bytes[8..<8 + length])),
              bytes.count == 8 + length + 4 * (header.trainCount + (header.validationCount ?? 0)) else { throw bad }
        func stream(at offset: Int, count: Int) throws -> TokenStream {
            let ids = bytes[offset..<offset + 4 * count].withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
            return try TokenStream(ids: ids, vocabularySize: header.vocabularySize)
        }
        let train = try stream(at: 8 + length, count: header.trainCount)
        let validation = try header.validationCount.map { try stream(at: 8 + length + 4 * header.trainCount, count: $0) }
        var generators = Trainer.generators(seed: header.config.training.seed)
        let model = try RecurrentLM<Float>(config: header.config.model, using: &generators.initialization)
        return try Trainer(config: header.config, model: model, train: train, validation: validation,
                           directory: RunDirectory(path: header.directory), parallel: parallel)
    }
}
