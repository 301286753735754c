import Foundation
import LMSettings

/// The one table from a setting's key path (``TrainingSettings``, and the other tools' settings) to
/// the flag that sets it: the library names settings by key path in its messages, and the tool says them as
/// flags (``message(for:)``, ``flagged(_:)``).
public enum SettingsFlags {
    /// Key path → flag, for every setting a flag sets.
    public static let table: [String: String] = [
        "model.kind": "--model", "model.hiddenSize": "--hidden", "model.layers": "--layers",
        "model.embeddingSize": "--embedding", "model.activation": "--activation", "model.initialization": "--init",
        "model.embeddingInitialization": "--init-embedding", "model.outputInitialization": "--init-output",
        "model.forgetBias": "--forget-bias", "model.gruVariant": "--gru-variant", "model.tied": "--tied",
        "model.recurrentBias": "--recurrent-bias", "model.adaptiveSoftmax": "--adaptive-softmax",
        "model.adaptiveSoftmax.cutoffs": "--adaptive-softmax", "model.adaptiveSoftmax.divValue": "--adaptive-div",
        "model.dropout.input": "--dropout-input", "model.dropout.hidden": "--dropout-hidden",
        "model.dropout.output": "--dropout-output", "model.dropout.embedding": "--dropout-embedding",
        "model.dropout.weightDrop": "--weight-drop", "model.dropout.locked": "--dropout-locked",
        "model.activationRegularization.ar": "--ar", "model.activationRegularization.tar": "--tar",
        "data.corpus": "CORPUS", "data.vocabulary": "--vocab", "data.pipeline.level": "--level",
        "data.pipeline.preset": "--preset", "data.pipeline.endOfLine": "--eos", "data.maxTokens": "--max-tokens",
        "data.validationFraction": "--val-fraction", "data.validFile": "--valid", "data.testFile": "--test",
        "data.batch": "--batch", "data.steps": "--steps", "data.sampler": "--sampler", "data.evalBatch": "--eval-batch",
        "data.variableSteps": "--variable-steps", "data.variableSteps.halfProbability": "--variable-steps",
        "data.variableSteps.spread": "--variable-steps",
        "optimizer.kind": "--optimizer", "optimizer.lr": "--lr", "optimizer.momentum": "--momentum",
        "optimizer.nesterov": "--nesterov", "optimizer.rmspropDecay": "--rmsprop-decay",
        "optimizer.weightDecay": "--weight-decay", "optimizer.clip": "--clip", "optimizer.asgd": "--asgd",
        "optimizer.asgd.nonmonotone": "--asgd-nonmono", "schedule": "--lr-schedule",
        "run.epochs": "--epochs", "run.timeBudget": "--time-budget", "run.seed": "--seed", "run.output": "--out", "run.checkpointEvery": "--checkpoint-every",
        "run.keep": "--keep", "run.resume": "--resume", "run.resume.best": "--resume-from best", "run.overwrite": "--overwrite", "run.testModel": "--test-model",
        "run.threads": "--threads", "run.start": "--finetune",
        "gains.cachePointer": "--cache-pointer", "gains.cachePointer.window": "--cache-pointer",
        "gains.cachePointer.theta": "--cache-pointer", "gains.cachePointer.lambda": "--cache-pointer",
        "gains.dynamicEvaluation": "--dynamic-eval", "gains.dynamicEvaluation.learningRate": "--dynamic-eval",
        "gains.dynamicEvaluation.decay": "--dynamic-eval",
        // lm-generate, lm-eval, lm-vocab and lm-convert, and the toy tasks (`lm-train toy`).
        "run.directory": "--model", "pipeline.replaceInvalidUTF8": "--replace-invalid", "convert.config": "--config",
        "generation.prefix": "--prefix", "generation.prefixFile": "--prefix-file", "generation.length": "--length",
        "generation.samples": "--samples", "generation.strict": "--strict", "generation.seed": "--seed",
        "sampling.strategy": "--strategy", "sampling.temperature": "--temperature", "sampling.alpha": "--alpha",
        "sampling.topK": "--top-k", "sampling.topP": "--top-p", "sampling.beams": "--beams",
        "sampling.lengthPenalty": "--length-penalty", "sampling.stopAtEOS": "--stop-at-eos",
        "toy.task": "--task", "toy.length": "--length", "toy.samples": "--samples", "toy.steps": "--steps",
        "toy.embedding": "--embedding", "toy.resume": "--resume",
        // lm-serve.
        "serve.models": "--model", "serve.host": "--host", "serve.port": "--port",
        "serve.limits.maxTokens": "--max-tokens", "serve.limits.maxPromptTokens": "--max-prompt-tokens",
        "serve.limits.maxBodyBytes": "--max-body-bytes", "serve.limits.rows": "--rows", "serve.limits.queue": "--queue",
        "serve.limits.maxChoices": "--max-choices",
    ]

    /// The settings whose errors are usage errors, reported as ArgumentParser reports a bad
    /// argument (with the usage, exit status 64): the checks `lm-train` made of its own
    /// arguments before the settings layer (a model width or depth below 1, dropout, threads,
    /// resuming while overwriting), and the activation regularization weights. Any other settings error is a run that cannot start, one
    /// line with exit status 1, as it was.
    public static let usageErrorKeys: Set<String> = [
        "model.hiddenSize", "model.layers", "model.embeddingSize", "model.dropout.input", "model.dropout.hidden",
        "model.dropout.output", "model.dropout.embedding", "model.dropout.weightDrop", "run.threads", "run.overwrite",
        "model.activationRegularization.ar", "model.activationRegularization.tar",
    ]

    /// Whether `error` is a settings error to report as a usage error (``usageErrorKeys``).
    public static func isUsageError(_ error: any Error) -> Bool {
        (error as? SettingsError).map { usageErrorKeys.contains($0.key) } ?? false
    }

    /// The flag that sets the setting at `keyPath` (the key path itself when no flag does).
    public static func flag(for keyPath: String) -> String { table[keyPath] ?? keyPath }

    /// `text` with every key path of the table that stands as a word (not inside a longer
    /// path or name) written as its flag. Keys without a dot (`schedule`) are left alone: as
    /// plain words they would match ordinary text.
    public static func flagged(_ text: String) -> String {
        var result = text
        for (key, flag) in keys {
            var searchStart = result.startIndex
            while let range = result.range(of: key, range: searchStart..<result.endIndex) {
                let before = range.lowerBound == result.startIndex ? nil : result[result.index(before: range.lowerBound)]
                let after = range.upperBound == result.endIndex ? nil : result[range.upperBound]
                if isBoundary(before) && before != "." && isBoundary(after) {
                    result.replaceSubrange(range, with: flag)
                    searchStart = result.index(range.lowerBound, offsetBy: flag.count)
                } else {
                    searchStart = range.upperBound
                }
            }
        }
        return result
    }

    /// What a tool prints for `error`: a ``SettingsError`` with its settings named by flag,
    /// any other error's description with the key paths in it written as flags.
    public static func message(for error: any Error) -> String {
        if let error = error as? SettingsError { return error.message(naming: flag(for:)) }
        return flagged(String(describing: error))
    }

    /// Longest first, so `model.adaptiveSoftmax.divValue` is replaced before `model.adaptiveSoftmax`.
    private static let keys = table.filter { $0.key.contains(".") }.sorted { $0.key.count > $1.key.count }

    /// Whether `character` (nil: the text's end) cannot be part of a key path or a name.
    private static func isBoundary(_ character: Character?) -> Bool {
        guard let character else { return true }
        return !(character.isLetter || character.isNumber || character == "_" || character == "-")
    }
}
