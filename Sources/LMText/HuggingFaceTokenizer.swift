import CUtf8proc
import Foundation
import LMFileSystem

/// An LMKit vocabulary as a Hugging Face `tokenizer.json` (a `WordLevel` model, id for id),
/// and a WordLevel `tokenizer.json` read back as an LMKit vocabulary.
///
/// The pipeline maps to tokenizers' parts where one exists:
///
/// | LMKit | tokenizers |
/// |---|---|
/// | normalization nfc / nfkc | normalizer `NFC` / `NFKC` |
/// | case folding | `Lowercase` (full folding only for ASCII: ß, ﬁ and the like differ) |
/// | filter ascii-letters (d2l) | `Replace` `[^A-Za-z]+` → " ", then `Strip`, then `Lowercase` when folding (exact) |
/// | filter letters (unicode) | `Replace` `[^\p{L}\p{M}]+` → " ", then `Strip` (emoji are dropped, LMKit keeps them) |
/// | word level, whitespace | pre-tokenizer `WhitespaceSplit` (which keeps U+001C–U+001F inside words) |
/// | word level, punctuation | pre-tokenizer `Whitespace` (`\w+│[^\w\s]+`) |
/// | word level, unicode | `WhitespaceSplit`, then `Split` `[\p{L}\p{M}\p{N}_]+│\X`, isolated |
/// | character level | `Split` `\X` (grapheme clusters, Oniguruma's rules), isolated; decoder `Fuse` |
/// | `<eos>` per line | post-processor `TemplateProcessing` `$A <eos>` |
///
/// What has no equivalent: LMKit processes text line by line, tokenizers one string at a time
/// (encode each line, with its line end for raw character-level vocabularies, to get LMKit's
/// ids); frequencies, source and build settings are not kept (an imported vocabulary has zero
/// counts); `replaceInvalidUTF8` does not apply (Python strings are valid Unicode); added tokens
/// (found whole before the pre-tokenizer) are read only where LMKit's splitting keeps them whole.
///
/// The unknown token is `model.unk_token`, found by name wherever its id is (tokenizers'
/// WordLevelTrainer without special tokens ranks a corpus's literal `<unk>` by frequency), and
/// named `<unk>`; an `unk_token` missing from the vocabulary gets `<unk>` after the last id.
public enum HuggingFaceTokenizer {
    // MARK: - Export

    /// The `tokenizer.json` of `file`, and one line per thing tokenizers does differently.
    public static func export(_ file: VocabularyFile) throws -> (json: Data, losses: [String]) {
        let pipeline = file.pipeline, p = pipeline.preprocessor
        var losses: [String] = []
        var normalizers: [[String: Any]] = []
        switch p.normalization {
        case .none: break
        case .nfc: normalizers.append(["type": "NFC"])
        case .nfkc: normalizers.append(["type": "NFKC"])
        }
        let lowercase: [String: Any] = ["type": "Lowercase"], strip: [String: Any] = ["type": "Strip", "strip_left": true, "strip_right": true]
        switch p.filter {
        case .none:
            if p.caseFold { normalizers.append(lowercase) }
        case .asciiLetters:
            // Lowercase after the filter, as d2l: what is left is ASCII, where Lowercase is exact.
            normalizers += [replace(asciiLettersPattern), strip] + (p.caseFold ? [lowercase] : [])
        case .letters:
            normalizers += (p.caseFold ? [lowercase] : []) + [replace(lettersPattern), strip]
            losses.append("the letters filter keeps letters and marks only; LMKit also keeps emoji")
        }
        if p.caseFold && p.filter != .asciiLetters {
            losses.append("case folding becomes Lowercase, which differs outside ASCII (ß, ﬁ, final sigma)")
        }
        let normalizer: Any = normalizers.isEmpty ? NSNull()
            : normalizers.count == 1 ? normalizers[0] : ["type": "Sequence", "normalizers": normalizers]
        let preTokenizer: [String: Any]
        var decoder: Any = NSNull()
        switch (pipeline.level, pipeline.wordSplitting) {
        case (.char, _):
            preTokenizer = split(characterPattern)
            decoder = ["type": "Fuse"]
            losses.append("characters are grapheme clusters by Oniguruma's \\X, whose Unicode version may differ from utf8proc's \(file.unicodeVersion)")
        case (.word, .whitespace):
            preTokenizer = ["type": "WhitespaceSplit"]
            if p.filter == .none { losses.append("WhitespaceSplit splits on Unicode's White_Space, not on U+001C–U+001F, which Python's split() also splits on") }
        case (.word, .punctuation):
            preTokenizer = ["type": "Whitespace"]
        case (.word, .unicode):
            preTokenizer = ["type": "Sequence", "pretokenizers": [["type": "WhitespaceSplit"], split(unicodeWordPattern)]]
        }
        var postProcessor: Any = NSNull()
        if pipeline.endOfLine {
            let eos = TextPipeline.endOfLineToken
            let id = file.tokens.firstIndex(of: eos) ?? 0
            func sequence(_ name: String, _ type: Int) -> [String: Any] { ["Sequence": ["id": name, "type_id": type]] }
            func special(_ type: Int) -> [String: Any] { ["SpecialToken": ["id": eos, "type_id": type]] }
            postProcessor = ["type": "TemplateProcessing",
                             "single": [sequence("A", 0), special(0)],
                             "pair": [sequence("A", 0), special(0), sequence("B", 1), special(1)],
                             "special_tokens": [eos: ["id": eos, "ids": [id], "tokens": [eos]]]]
        }
        var vocab: [String: Int] = [:]
        for (id, token) in file.tokens.enumerated() { vocab[token] = id }
        let object: [String: Any] = [
            "version": "1.0", "truncation": NSNull(), "padding": NSNull(), "added_tokens": [],
            "normalizer": normalizer, "pre_tokenizer": preTokenizer, "post_processor": postProcessor, "decoder": decoder,
            "model": ["type": "WordLevel", "vocab": vocab, "unk_token": Vocabulary.unknownToken],
        ]
        var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        return (data, losses)
    }

    static let asciiLettersPattern = "[^A-Za-z]+"
    static let lettersPattern = "[^\\p{L}\\p{M}]+"
    static let characterPattern = "\\X"
    static let unicodeWordPattern = "[\\p{L}\\p{M}\\p{N}_]+|\\X"

    private static func replace(_ pattern: String) -> [String: Any] {
        ["type": "Replace", "pattern": ["Regex": pattern], "content": " "]
    }

    private static func split(_ pattern: String) -> [String: Any] {
        ["type": "Split", "pattern": ["Regex": pattern], "behavior": "Isolated", "invert": false]
    }

    // MARK: - Import

    /// The LMKit vocabulary of the WordLevel `tokenizer.json` at `path`, and one line per
    /// thing that changed on the way (renamed unknown token, zero counts).
    public static func vocabularyFile(fromTokenizerAt path: String) throws -> (file: VocabularyFile, notes: [String]) {
        let data: Data
        do { data = try FileAccess.contents(of: path) } catch {
            throw TokenizerJSONError.notATokenizer(path: path, reason: "cannot read: \(FileAccess.unreadableReason(path) ?? "read error")")
        }
        func bad(_ reason: String) -> TokenizerJSONError { .notATokenizer(path: path, reason: reason) }
        func unsupported(_ reason: String) -> TokenizerJSONError { .unsupported(path: path, reason: reason) }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { throw bad("not a JSON object") }
        guard let model = object["model"] as? [String: Any] else { throw bad("no \"model\" object") }
        let type = model["type"] as? String ?? "(none)"
        guard type == "WordLevel" else { throw unsupported("model type \(type); LMKit reads WordLevel tokenizers (one id per whole token)") }
        guard let vocab = model["vocab"] as? [String: Any] else { throw bad("the WordLevel model has no \"vocab\" object") }
        var tokens = [String?](repeating: nil, count: vocab.count)
        for (token, value) in vocab {
            guard let number = value as? NSNumber, let id = Int(exactly: number.doubleValue), id >= 0, id < vocab.count else {
                throw bad("vocab[\(token.debugDescription)] is \(value), not an id in 0..<\(vocab.count)")
            }
            if let other = tokens[id] { throw bad("id \(id) is given to both \(other.debugDescription) and \(token.debugDescription)") }
            tokens[id] = token
        }
        var list = tokens.map { $0! }   // n distinct ids in 0..<n: every slot is filled
        var notes: [String] = []
        // The unknown token, by name, wherever its id is (a WordLevelTrainer without special
        // tokens puts the corpus's own "<unk>" where its frequency ranks it).
        guard let unk = model["unk_token"] as? String else { throw unsupported("model.unk_token is missing; LMKit maps unknown tokens to \(Vocabulary.unknownToken), so name one") }
        if let id = list.firstIndex(of: unk) {
            if unk != Vocabulary.unknownToken {
                guard !list.contains(Vocabulary.unknownToken) else {
                    throw unsupported("model.unk_token is \(unk.debugDescription) and \(Vocabulary.unknownToken) is another token; LMKit's unknown token is \(Vocabulary.unknownToken)")
                }
                list[id] = Vocabulary.unknownToken
                notes.append("the unknown token \(unk.debugDescription) (id \(id)) is renamed \(Vocabulary.unknownToken) (LMKit's)")
            }
        } else if !list.contains(Vocabulary.unknownToken) {
            list.append(Vocabulary.unknownToken)
            notes.append("model.unk_token \(unk.debugDescription) is not in model.vocab: \(Vocabulary.unknownToken) is added at id \(list.count - 1) "
                         + "for tokens outside the vocabulary (tokenizers fails on them)")
        } else {
            notes.append("model.unk_token \(unk.debugDescription) is not in model.vocab: tokens outside the vocabulary become \(Vocabulary.unknownToken) "
                         + "(id \(list.firstIndex(of: Vocabulary.unknownToken)!); tokenizers fails on them)")
        }
        let preprocessor = try preprocessor(from: object["normalizer"], unsupported: unsupported, notes: &notes)
        let (level, splitting) = try tokenization(from: object["pre_tokenizer"], unsupported: unsupported)
        let endOfLine = try endOfLine(from: object["post_processor"], tokens: list, unsupported: unsupported)
        let pipeline = TextPipeline(preprocessor: preprocessor, level: level, wordSplitting: splitting, endOfLine: endOfLine)
        try checkAddedTokens(object["added_tokens"], vocab: vocab, pipeline: pipeline, unsupported: unsupported)
        notes.append("a tokenizer.json has no counts: every frequency is 0")
        let file = VocabularyFile(format: VocabularyFile.formatName, version: VocabularyFile.currentVersion, pipeline: pipeline,
                                  unicodeVersion: String(cString: utf8proc_unicode_version()),
                                  source: .init(file: URL(fileURLWithPath: path).lastPathComponent, bytes: data.count, tokens: 0),
                                  settings: .init(), tokens: list, frequencies: [Int](repeating: 0, count: list.count))
        do { _ = try file.vocabulary() } catch let error as TextError { throw bad(error.description) }
        if let reason = file.implausibility { throw unsupported(reason) }
        return (file, notes)
    }

    /// Refuses added tokens LMKit would read otherwise: tokenizers finds them in the raw text
    /// before any normalizer or pre-tokenizer, LMKit has no such step, so each must be a token
    /// of `vocab` that LMKit's word splitting keeps whole.
    private static func checkAddedTokens(_ value: Any?, vocab: [String: Any], pipeline: TextPipeline,
                                         unsupported: (String) -> TokenizerJSONError) throws {
        guard let added = value as? [[String: Any]] else { return }
        for (index, entry) in added.enumerated() {
            guard let content = entry["content"] as? String, vocab[content] != nil else {
                throw unsupported("added_tokens.\(index) is not a token of model.vocab; LMKit has no added tokens")
            }
            guard pipeline.level == .word, WordTokenizer(splitting: pipeline.wordSplitting).tokens(of: content) == [content] else {
                throw unsupported("added_tokens.\(index) \(content.debugDescription) is found whole in the text before the pre_tokenizer, "
                                  + "which would split it; LMKit has no added tokens (train without special_tokens, or with WhitespaceSplit)")
            }
        }
    }

    /// The preprocessing a normalizer describes (see the type's table).
    private static func preprocessor(from value: Any?, unsupported: (String) -> TokenizerJSONError,
                                     notes: inout [String]) throws -> Preprocessor {
        var parts: [[String: Any]] = []
        if let object = value as? [String: Any] {
            if object["type"] as? String == "Sequence" {
                parts = object["normalizers"] as? [[String: Any]] ?? []
            } else {
                parts = [object]
            }
        } else if value != nil && !(value is NSNull) {
            throw unsupported("the normalizer is not an object")
        }
        var normalization = Preprocessor.Normalization.none, caseFold = false, filter = Preprocessor.Filter.none
        var lowercasesFirst = false
        var index = 0
        while index < parts.count {
            let part = parts[index], type = part["type"] as? String ?? "(none)"
            switch type {
            case "NFC": normalization = .nfc
            case "NFKC": normalization = .nfkc
            case "Lowercase":
                caseFold = true
                lowercasesFirst = filter == .none
            case "Replace":
                let pattern = (part["pattern"] as? [String: Any])?["Regex"] as? String
                let strips = index + 1 < parts.count && parts[index + 1]["type"] as? String == "Strip"
                guard part["content"] as? String == " ", strips, let pattern,
                      pattern == asciiLettersPattern || pattern == lettersPattern else {
                    throw unsupported("normalizer Replace \(pattern ?? "(not a regex)") has no LMKit equivalent (LMKit filters \(asciiLettersPattern) or \(lettersPattern) to one space, then strips)")
                }
                filter = pattern == asciiLettersPattern ? .asciiLetters : .letters
                if filter == .letters { notes.append("the letters filter of LMKit also keeps emoji, which this normalizer dropped") }
                index += 1
            default:
                throw unsupported("normalizer \(type) has no LMKit equivalent (LMKit has NFC, NFKC, case folding and its two letter filters)")
            }
            index += 1
        }
        if caseFold && filter != .asciiLetters { notes.append("Lowercase is read as LMKit's case folding, which differs outside ASCII") }
        if caseFold && filter == .asciiLetters && lowercasesFirst {
            notes.append("Lowercase before the \(asciiLettersPattern) filter keeps the Kelvin sign and İ as k and i; LMKit lowercases after it, as d2l")
        }
        let preset: Preprocessor.Preset = [Preprocessor.Preset.d2l, .unicode, .raw].first {
            let p = Preprocessor(preset: $0)
            return p.normalization == normalization && p.caseFold == caseFold && p.filter == filter
        } ?? .raw
        return Preprocessor(preset: preset, normalization: normalization, caseFold: caseFold, filter: filter)
    }

    /// The level and word splitting a pre-tokenizer describes.
    private static func tokenization(from value: Any?, unsupported: (String) -> TokenizerJSONError) throws
        -> (TextPipeline.Level, WordTokenizer.Splitting) {
        guard let object = value as? [String: Any] else {
            throw unsupported("no pre-tokenizer: a WordLevel model would look the whole text up as one token")
        }
        func isSplit(_ part: [String: Any], _ pattern: String) -> Bool {
            part["type"] as? String == "Split" && (part["pattern"] as? [String: Any])?["Regex"] as? String == pattern
                && part["behavior"] as? String == "Isolated" && (part["invert"] as? Bool ?? false) == false
        }
        let type = object["type"] as? String ?? "(none)"
        if type == "WhitespaceSplit" { return (.word, .whitespace) }
        if type == "Whitespace" { return (.word, .punctuation) }
        if isSplit(object, characterPattern) { return (.char, .whitespace) }
        if type == "Sequence", let parts = object["pretokenizers"] as? [[String: Any]], parts.count == 2,
           parts[0]["type"] as? String == "WhitespaceSplit", isSplit(parts[1], unicodeWordPattern) {
            return (.word, .unicode)
        }
        throw unsupported("pre_tokenizer \(type) has no LMKit equivalent (LMKit has WhitespaceSplit, Whitespace, Unicode word boundaries and grapheme clusters)")
    }

    /// Whether the post-processor appends `<eos>` (and nothing else) to every sequence.
    private static func endOfLine(from value: Any?, tokens: [String], unsupported: (String) -> TokenizerJSONError) throws -> Bool {
        guard let object = value as? [String: Any] else { return false }
        let type = object["type"] as? String ?? "(none)"
        let single = object["single"] as? [[String: Any]] ?? []
        let eos = TextPipeline.endOfLineToken
        guard type == "TemplateProcessing", single.count == 2, single[0]["Sequence"] != nil,
              (single[1]["SpecialToken"] as? [String: Any])?["id"] as? String == eos else {
            throw unsupported("post-processor \(type) has no LMKit equivalent (LMKit can append \(eos) after every line)")
        }
        return true
    }
}
