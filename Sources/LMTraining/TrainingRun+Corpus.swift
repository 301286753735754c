import Foundation
import LMData
import LMFileSystem
import LMSettings
import LMText

extension TrainingRun {
    /// A corpus ready to read, with the settings it implies.
    struct ResolvedCorpus {
        /// The settings with the corpus's defaults filled in: a registered corpus with splits
        /// (ptb) brings its validation and test texts, one with a validation fraction
        /// (tinyshakespeare) that fraction; either, unless `maxTokens` is given, is used whole.
        /// Any other corpus keeps d2l's first 10,000 tokens by default.
        var settings: TrainingSettings
        /// The training text, opened once (a stream is spooled, so the vocabulary and the
        /// token stream read the same bytes).
        var input: TextInput
        /// The preprocessing a new vocabulary is built with: the settings', then the corpus's own.
        var pipeline: TextPipeline
        /// The registry entry's sample prefix.
        var samplePrefix: String?
        /// A registered name (of a validation or test file) as a path.
        var resolve: (String) throws -> String
    }

    /// The corpus of `settings.data`, through the corpus registry.
    static func resolveCorpus(_ requested: TrainingSettings) throws -> ResolvedCorpus {
        var settings = requested
        let registry = try CorpusRegistry.standard(for: settings.data.corpus)
        let parts = try registry.corpus(settings.data.corpus)
        if settings.data.validFile == nil && settings.data.validationFraction == 0 {
            settings.data.validFile = parts.valid
            if settings.data.validFile == nil, let fraction = parts.validationFraction { settings.data.validationFraction = fraction }
        }
        if settings.data.testFile == nil { settings.data.testFile = parts.test }
        if settings.data.maxTokens == nil { settings.data.maxTokens = parts.isBenchmark ? 0 : DataSettings.defaultMaxTokens }
        let choice = parts.pipeline.map { settings.data.pipeline.over($0) } ?? settings.data.pipeline
        return ResolvedCorpus(settings: settings, input: try TextInput(path: parts.train, recordsDigest: true),
                              pipeline: choice.applied(to: TextPipeline()), samplePrefix: parts.samplePrefix,
                              resolve: { try registry.resolve($0) })
    }

    /// The vocabulary file given (its pipeline checked against the one asked for), or one
    /// built from the whole corpus as d2l's `load_corpus_time_machine`.
    static func vocabulary(for data: DataSettings, corpus: TextInput, pipeline: TextPipeline) throws -> VocabularyFile {
        guard let path = data.vocabulary else { return try VocabularyFile.build(corpus: corpus, pipeline: pipeline, settings: .init()) }
        let file = try VocabularyFile.load(from: path)
        try data.pipeline.check(against: file.pipeline, vocabulary: path)
        return file
    }

    /// The corpus's first line, up to its first few tokens (2 words or 14 characters), as text:
    /// the sample prefix of a corpus whose registry entry names none.
    static func leadingText(of stream: TokenStream, vocabulary: Vocabulary, pipeline: TextPipeline) -> String {
        let wanted = pipeline.level == .word ? 2 : 14
        let text = Detokenizer(vocabulary: vocabulary, pipeline: pipeline).text(of: (0..<min(wanted, stream.count)).map { Int32(stream[$0]) })
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
        return line.trimmingCharacters(in: .whitespaces)
    }
}
