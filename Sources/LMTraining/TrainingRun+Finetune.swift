import Foundation
import LMModelFiles
import LMSettings
import LMText

extension TrainingRun {
    /// Checks that the run a fine-tuning stage starts from (`origin`) can give this run its
    /// weights: a run directory with a best checkpoint, the same architecture as `model`
    /// (dropout may differ) and the same vocabulary and preprocessing. Reads only.
    /// - Throws: ``TrainingError/invalidSetting(_:)`` naming `run.start` and what differs.
    static func checkFinetune(_ origin: FinetuneOrigin, model: ModelConfig, vocabularyFile: VocabularyFile) throws {
        func refuse(_ problem: String) -> TrainingError { .invalidSetting("run.start \(origin.run): \(problem)") }
        let source = RunDirectory(path: origin.run)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: origin.run, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw refuse("no such run directory")
        }
        let saved: RunConfig, savedVocabulary: VocabularyFile
        do {
            saved = try source.readConfig()
            savedVocabulary = try source.readVocabulary(for: saved)
        } catch {
            throw refuse("\(error)")
        }
        guard FileManager.default.fileExists(atPath: origin.weights) else {
            throw refuse("\(origin.weights) does not exist; fine-tuning starts from a run's best checkpoint, written after its first epoch")
        }
        guard savedVocabulary.tokens == vocabularyFile.tokens, savedVocabulary.pipeline == vocabularyFile.pipeline else {
            throw refuse("its vocabulary or preprocessing (\(source.vocabularyPath)) differs from this run's; give the same corpus and data.vocabulary \(source.vocabularyPath)")
        }
        var theirs = saved.model
        theirs.dropout = model.dropout
        guard theirs == model else {
            let differences = Self.differences(theirs, model, prefix: "model.")
            throw refuse("its model differs from this one in " + differences.joined(separator: "; ") + "; fine-tuning keeps the architecture (only the dropout may change)")
        }
    }

    /// Every setting in which `old` and `new` differ, as `key was A, now B`, keys as key paths
    /// under `prefix`, sorted.
    static func differences<T: Encodable>(_ old: T, _ new: T, prefix: String = "") -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func flatten(_ value: T) -> [String: String] {
            guard let data = try? encoder.encode(value),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
            var result: [String: String] = [:]
            func walk(_ value: Any, _ prefix: String) {
                if let dictionary = value as? [String: Any] {
                    for (key, inner) in dictionary { walk(inner, prefix.isEmpty ? key : prefix + "." + key) }
                } else {
                    result[prefix] = "\(value)"
                }
            }
            walk(object, "")
            return result
        }
        let before = flatten(old), now = flatten(new)
        return Set(before.keys).union(now.keys).sorted().filter { before[$0] != now[$0] }
            .map { "\(prefix)\($0) was \(before[$0] ?? "unset"), now \(now[$0] ?? "unset")" }
    }
}
