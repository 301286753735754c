/// Text-pipeline settings given explicitly (nil: not given): on a command line, to check
/// against a vocabulary that already fixes them; in a corpus registry entry, as the corpus's
/// own defaults (JSON `{"level": "word", "preset": "raw", "eos": true}`).
public struct PipelineChoice: Codable, Sendable, Equatable {
    public var level: TextPipeline.Level?
    public var preset: Preprocessor.Preset?
    public var endOfLine: Bool?

    public init(level: TextPipeline.Level? = nil, preset: Preprocessor.Preset? = nil, endOfLine: Bool? = nil) {
        self.level = level
        self.preset = preset
        self.endOfLine = endOfLine
    }

    private enum CodingKeys: String, CodingKey { case level, preset, endOfLine = "eos" }

    /// `base` with every setting given here replacing the base's.
    public func applied(to base: TextPipeline) -> TextPipeline {
        var pipeline = base
        if let level { pipeline.level = level }
        if let preset { pipeline.preprocessor = Preprocessor(preset: preset) }
        if let endOfLine { pipeline.endOfLine = endOfLine }
        return pipeline
    }

    /// The settings given here, with those of `fallback` where this one gives none.
    public func over(_ fallback: PipelineChoice) -> PipelineChoice {
        PipelineChoice(level: level ?? fallback.level, preset: preset ?? fallback.preset, endOfLine: endOfLine ?? fallback.endOfLine)
    }

    /// Throws `TextError.invalidSetting` naming the option and the vocabulary file when a
    /// given setting differs from the vocabulary's pipeline (a vocabulary decides how text is
    /// tokenized, so a contradicting option would be silently ignored).
    public func check(against pipeline: TextPipeline, vocabulary path: String) throws {
        var conflicts: [String] = []
        if let level, level != pipeline.level {
            conflicts.append("data.pipeline.level \(level.rawValue) (the vocabulary is \(pipeline.level.rawValue) level)")
        }
        if let preset, preset != pipeline.preprocessor.preset {
            conflicts.append("data.pipeline.preset \(preset.rawValue) (the vocabulary uses \(pipeline.preprocessor.preset.rawValue))")
        }
        if let endOfLine, endOfLine != pipeline.endOfLine {
            conflicts.append("data.pipeline.endOfLine \(endOfLine)" + " (the vocabulary \(pipeline.endOfLine ? "appends" : "has no") <eos>)")
        }
        guard !conflicts.isEmpty else { return }
        throw TextError.invalidSetting("\(path): \(conflicts.joined(separator: ", ")) contradicts the vocabulary's pipeline; "
            + "drop the option (the vocabulary decides how text is tokenized) or build a new vocabulary with it")
    }

    /// Loads the vocabulary at `path` and checks it as ``check(against:vocabulary:)``.
    public func check(vocabularyAt path: String) throws {
        try check(against: try VocabularyFile.load(from: path).pipeline, vocabulary: path)
    }
}
