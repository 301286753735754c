import ArgumentParser
import Foundation
import LMFileSystem
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
    @Option(help: "Word splitting: whitespace (d2l) or unicode (punctuation apart).") var words: WordTokenizer.Splitting = .whitespace
    @Flag(inversion: .prefixedNo, help: "Append <eos> after every line (default off, or the registered corpus's: on for ptb).") var eos: Bool?
    @Option(parsing: .unconditional, help: "Drop tokens seen fewer times than this.") var minFreq = 1
    @Option(parsing: .unconditional, help: "At most this many entries, <unk> and reserved tokens included.") var maxSize: Int?
    @Option(help: "Reserved tokens placed after <unk>, comma-separated.") var reserved: String?
    @Flag(help: "Replace invalid UTF-8 by U+FFFD instead of failing.") var replaceInvalid = false

    func validate() throws {
        if minFreq < 1 { throw ValidationError("--min-freq must be at least 1") }
        if let maxSize, maxSize < 1 { throw ValidationError("--max-size must be at least 1") }
    }

    func run() throws {
        // A registered corpus with splits (ptb) is built from its training text, with its own preprocessing.
        let parts = try CorpusRegistry.standard()?.corpus(corpus) ?? CorpusRegistry.Corpus(train: corpus)
        let path = parts.train
        let choice = PipelineChoice(level: level, preset: preset, endOfLine: eos).over(parts.pipeline ?? PipelineChoice())
        var preprocessor = Preprocessor(preset: choice.preset ?? .d2l)
        if let normalize { preprocessor.normalization = normalize }
        if let caseFold { preprocessor.caseFold = caseFold == .on }
        let level = choice.level ?? .char
        let pipeline = TextPipeline(preprocessor: preprocessor, level: level, wordSplitting: words,
                                    endOfLine: choice.endOfLine ?? false, replaceInvalidUTF8: replaceInvalid)
        let reservedTokens = reserved.map { $0.split(separator: ",").map(String.init) } ?? []
        let started = Date()
        let file = try VocabularyFile.build(corpus: path, pipeline: pipeline,
                                            settings: .init(minFrequency: minFreq, maxSize: maxSize, reserved: reservedTokens))
        let seconds = Date().timeIntervalSince(started)
        let name = path == TextInput.standardInput ? "stdin" : URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        let destination = output ?? "vocab/\(name)-\(level.rawValue).json"
        try file.save(to: destination)
        print(try Summary(file: file).text)
        let megabytes = Double(file.source.bytes) / 1e6
        print(String(format: "read %.1f MB in %.2f s (%.0f MB/s)", megabytes, seconds, megabytes / max(seconds, 1e-9)))
        print("wrote \(destination)")
    }
}

/// Case folding switch.
enum Toggle: String, ExpressibleByArgument, CaseIterable { case on, off }

/// The human-readable summary `build` and `show` print.
struct Summary {
    let text: String

    init(file: VocabularyFile) throws {
        let vocabulary = try file.vocabulary()
        var lines = [
            "source:   \(file.source.file) (\(file.source.bytes) bytes)",
            "pipeline: \(file.pipeline.summary)",
            "tokens:   \(file.source.tokens)",
            "types:    \(vocabulary.count) (including <unk>\(file.settings.reserved.isEmpty ? "" : " and \(file.settings.reserved.count) reserved"))",
            String(format: "coverage: %.4f%% of tokens have an id of their own", vocabulary.coverage * 100),
            "most frequent:",
        ]
        let ranked = (1..<vocabulary.count).sorted { vocabulary.frequencies[$0] > vocabulary.frequencies[$1] || (vocabulary.frequencies[$0] == vocabulary.frequencies[$1] && $0 < $1) }
        for id in ranked.prefix(10) {
            let shown = vocabulary.token(at: id).debugDescription
            let padding = String(repeating: " ", count: max(1, 12 - shown.count))
            lines.append(String(format: "  %5d  ", id) + shown + padding + String(vocabulary.frequencies[id]))
        }
        text = lines.joined(separator: "\n")
    }
}

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a vocabulary file's summary.")
    @Argument(help: "Vocabulary file.") var vocab: String

    func run() throws {
        print(try Summary(file: try VocabularyFile.load(from: vocab)).text)
    }
}

struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Text on stdin → ids on stdout, one line of space-separated ids per input line.",
        discussion: "The text goes through the vocabulary's own preprocessing and tokenizer; unknown tokens become 0 (<unk>).")
    @Option(help: "Vocabulary file.") var vocab: String

    func run() throws {
        let file = try VocabularyFile.load(from: vocab)
        let vocabulary = try file.vocabulary()
        var tokenizer = LineTokenizer(pipeline: file.pipeline)
        var output = ""
        // Bytes, not readLine(): readLine would replace invalid UTF-8 the vocabulary may refuse.
        let remedy = "\(vocab) says replaceInvalidUTF8: false; fix the input, or rebuild the vocabulary with `lm-vocab build --replace-invalid`"
        try TextError.remedyingInvalidUTF8(remedy) {
            try LineReader(path: "/dev/stdin").forEachLine { line, offset in
                let ids = try tokenizer.tokens(of: line, source: "<stdin>", offset: offset).map { String(vocabulary.id(of: $0)) }
                output += ids.joined(separator: " ") + "\n"
                if output.utf8.count > 1 << 16 { print(output, terminator: ""); output = "" }
            }
        }
        print(output, terminator: "")
    }
}

struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ids on stdin → text on stdout.",
        discussion: "Character vocabularies concatenate tokens, word vocabularies join them with spaces; <eos> becomes a line end. Each input line gives one output line.")
    @Option(help: "Vocabulary file.") var vocab: String

    func run() throws {
        let file = try VocabularyFile.load(from: vocab)
        let vocabulary = try file.vocabulary()
        let detokenizer = Detokenizer(vocabulary: vocabulary, pipeline: file.pipeline)
        var lineNumber = 0
        while let line = readLine() {
            lineNumber += 1
            var ids: [Int32] = []
            for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
                guard let id = Int32(field), id >= 0, id < vocabulary.count else {
                    throw TextError.invalidSetting("<stdin> line \(lineNumber): \(field.debugDescription) is not an id of \(vocab) (0..<\(vocabulary.count))")
                }
                ids.append(id)
            }
            print(detokenizer.text(of: ids))
        }
    }
}
