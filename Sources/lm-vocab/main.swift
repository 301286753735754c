import ArgumentParser
import LMText
import LMToolSupport

/// `lm-vocab`: build, inspect and apply vocabularies.
@main
struct LMVocab: LMTool {
    static let configuration = CommandConfiguration(
        commandName: "lm-vocab",
        abstract: "Build, inspect and apply LMKit vocabularies.",
        subcommands: [Build.self, Show.self, Encode.self, Decode.self])
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count a corpus and write its vocabulary file.",
        discussion: "CORPUS is a text file or a registered corpus name (see corpora/registry.json); a missing registered corpus is fetched from $LM_CORPUS_MIRROR or its URL.")

    @Argument(help: "Corpus file or registered name.") var corpus: String
    @Option(name: .shortAndLong, help: "Output file (default: vocab/<corpus>-<level>.json).") var output: String?
    @Option(help: "Preprocessing preset: d2l, unicode or raw (default d2l, or the registered corpus's: raw for ptb).") var preset: Preprocessor.Preset?
    @Option(help: "Unicode normalization: none, nfc or nfkc (default: the preset's).") var normalize: Preprocessor.Normalization?
    @Option(help: "Case folding on or off (default: the preset's).") var caseFold: Toggle?
    @Option(help: "Token level: char or word (default char, or the registered corpus's: word for ptb).") var level: TextPipeline.Level?
    @Option(help: "Word splitting: whitespace (d2l), unicode (punctuation apart) or punctuation (tokenizers' Whitespace: \\w+|[^\\w\\s]+).") var words: WordTokenizer.Splitting = .whitespace
    @Flag(inversion: .prefixedNo, help: "Append <eos> after every line (default off, or the registered corpus's: on for ptb).") var eos: Bool?
    @Option(parsing: .unconditional, help: "Drop tokens seen fewer times than this.") var minFreq = 1
    @Option(parsing: .unconditional, help: "At most this many entries, <unk> and reserved tokens included.") var maxSize: Int?
    @Option(help: "Reserved tokens placed after <unk>, comma-separated.") var reserved: String?
    @Flag(help: "Replace invalid UTF-8 by U+FFFD instead of failing.") var replaceInvalid = false

    func validate() throws {
        if minFreq < 1 { throw ValidationError("--min-freq must be at least 1") }
        if let maxSize, maxSize < 1 { throw ValidationError("--max-size must be at least 1") }
    }

    var request: VocabularyBuildRequest {
        VocabularyBuildRequest(corpus: corpus, output: output, choice: PipelineChoice(level: level, preset: preset, endOfLine: eos),
                               normalization: normalize, caseFold: caseFold.map { $0 == .on }, wordSplitting: words,
                               replaceInvalidUTF8: replaceInvalid,
                               settings: .init(minFrequency: minFreq, maxSize: maxSize,
                                               reserved: reserved.map { $0.split(separator: ",").map(String.init) } ?? []))
    }

    func run() throws { try request.run(writingTo: StandardOutput()) }
}

/// Case folding switch.
enum Toggle: String, ExpressibleByArgument, CaseIterable { case on, off }

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a vocabulary file's summary.")
    @Argument(help: "Vocabulary file.") var vocab: String

    func run() throws { try VocabularySummary.show(vocabularyAt: vocab, writingTo: StandardOutput()) }
}

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Text on stdin → ids on stdout, one line of space-separated ids per input line.",
        discussion: "The text goes through the vocabulary's own preprocessing and tokenizer; unknown tokens become <unk>'s id (0 in vocabularies lm-vocab builds).")
    @Option(help: "Vocabulary file.") var vocab: String

    func run() throws { try VocabularyEncodeRequest(vocabulary: vocab).run(writingTo: StandardOutput()) }
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ids on stdin → text on stdout.",
        discussion: "Character vocabularies concatenate tokens, word vocabularies join them with spaces; <eos> becomes a line end. Each input line gives one output line.")
    @Option(help: "Vocabulary file.") var vocab: String

    func run() throws { try VocabularyDecodeRequest(vocabulary: vocab).run(writingTo: StandardOutput()) }
}
