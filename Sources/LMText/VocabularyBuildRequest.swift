import Foundation
import LMFileSystem

/// One `lm-vocab build` run: count a corpus (a file, `-` for stdin, or a registered name) and
/// save its vocabulary file.
///
/// A registered corpus with splits (ptb) is built from its training text; its registry entry's
/// preprocessing fills in what the request leaves nil. The output is the summary
/// (``VocabularySummary``), the reading speed and the path written.
public struct VocabularyBuildRequest: Sendable {
    /// Corpus file or registered name.
    public var corpus: String
    /// Where to save; nil for `vocab/<corpus>-<level>.json`.
    public var output: String?
    /// Level, preset and `<eos>` as given (nil: the registered corpus's, else char, d2l, off).
    public var choice: PipelineChoice
    /// Unicode normalization; nil for the preset's.
    public var normalization: Preprocessor.Normalization?
    /// Case folding; nil for the preset's.
    public var caseFold: Bool?
    /// How words are split (word level).
    public var wordSplitting: WordTokenizer.Splitting
    /// Replace invalid UTF-8 by U+FFFD instead of failing.
    public var replaceInvalidUTF8: Bool
    /// Minimum frequency, size cap and reserved tokens.
    public var settings: VocabularyFile.Settings

    public init(corpus: String, output: String? = nil, choice: PipelineChoice = PipelineChoice(),
                normalization: Preprocessor.Normalization? = nil, caseFold: Bool? = nil,
                wordSplitting: WordTokenizer.Splitting = .whitespace, replaceInvalidUTF8: Bool = false,
                settings: VocabularyFile.Settings = .init()) {
        self.corpus = corpus
        self.output = output
        self.choice = choice
        self.normalization = normalization
        self.caseFold = caseFold
        self.wordSplitting = wordSplitting
        self.replaceInvalidUTF8 = replaceInvalidUTF8
        self.settings = settings
    }

    /// Builds and saves the vocabulary, writing the summary to `output`.
    /// - Throws: the corpus registry's, reading's (``TextError``, `FileError`) and saving's errors.
    public func run(writingTo output: any TextOutput) throws {
        defer { output.flush() }
        let parts = try CorpusRegistry.standard(for: corpus).corpus(corpus)
        let path = parts.train
        let choice = choice.over(parts.pipeline ?? PipelineChoice())
        var preprocessor = Preprocessor(preset: choice.preset ?? .d2l)
        if let normalization { preprocessor.normalization = normalization }
        if let caseFold { preprocessor.caseFold = caseFold }
        let level = choice.level ?? .char
        let pipeline = TextPipeline(preprocessor: preprocessor, level: level, wordSplitting: wordSplitting,
                                    endOfLine: choice.endOfLine ?? false, replaceInvalidUTF8: replaceInvalidUTF8)
        let name = path == TextInput.standardInput ? "stdin" : URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let destination = self.output ?? "vocab/\(name)-\(level.rawValue).json"
        let inputs = InputFiles([parts.train, parts.valid, parts.test].compactMap { $0 })
        try inputs.check(output: destination)   // before reading the corpus, not after it
        let started = Date()
        let file = try VocabularyFile.build(corpus: path, pipeline: pipeline, settings: settings)
        let seconds = Date().timeIntervalSince(started)
        try file.save(to: destination, sparing: inputs)
        output.write(try VocabularySummary(file: file).text + "\n")
        let megabytes = Double(file.source.bytes) / 1e6
        output.write(String(format: "read %.1f MB in %.2f s (%.0f MB/s)\n", megabytes, seconds, megabytes / max(seconds, 1e-9)))
        output.write("wrote \(destination)\n")
    }
}
