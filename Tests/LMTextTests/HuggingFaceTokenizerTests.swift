import Foundation
import Testing
@testable import LMText

/// tokenizer.json export and import: every pipeline LMKit builds comes back with the same
/// tokens and pipeline, and the parts map to tokenizers' as documented.
@Suite struct HuggingFaceTokenizerTests {
    static var pipelines: [TextPipeline] {
        var all: [TextPipeline] = []
        for preset in Preprocessor.Preset.allCases {
            for level in TextPipeline.Level.allCases {
                for splitting in level == .word ? WordTokenizer.Splitting.allCases : [.whitespace] {
                    for eos in [false, true] {
                        all.append(TextPipeline(preprocessor: Preprocessor(preset: preset), level: level, wordSplitting: splitting, endOfLine: eos))
                    }
                }
            }
        }
        return all
    }

    @Test(arguments: pipelines) func vocabularyComesBackWithItsTokensAndPipeline(_ pipeline: TextPipeline) throws {
        let corpus = Fixtures.file("The Time Traveller (for so it will be convenient to speak of him)\nwas expounding a recondite matter to us.\n")
        let file = try VocabularyFile.build(corpus: corpus, pipeline: pipeline, settings: .init())
        let (json, _) = try HuggingFaceTokenizer.export(file)
        let path = Fixtures.temporaryDirectory() + "/tokenizer.json"
        try json.write(to: URL(fileURLWithPath: path))
        let (back, notes) = try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: path)
        #expect(back.tokens == file.tokens)
        #expect(back.pipeline == file.pipeline)
        #expect(back.frequencies.allSatisfy { $0 == 0 } && notes.contains { $0.contains("every frequency is 0") })
    }

    @Test func d2lWordPipelineIsTokenizersParts() throws {
        let file = try VocabularyFile.build(corpus: Fixtures.file("The time, the traveller.\n"),
                                            pipeline: TextPipeline(level: .word, endOfLine: true), settings: .init())
        let (json, losses) = try HuggingFaceTokenizer.export(file)
        #expect(losses.isEmpty)   // d2l's word pipeline is reproduced exactly
        let object = try JSONSerialization.jsonObject(with: json) as! [String: Any]
        let normalizers = (object["normalizer"] as! [String: Any])["normalizers"] as! [[String: Any]]
        // d2l lowercases after filtering: Lowercase last, where only ASCII is left.
        #expect(normalizers.map { $0["type"] as! String } == ["Replace", "Strip", "Lowercase"])
        #expect((normalizers[0]["pattern"] as! [String: String]) == ["Regex": "[^A-Za-z]+"])
        #expect((object["pre_tokenizer"] as! [String: String]) == ["type": "WhitespaceSplit"])
        let post = object["post_processor"] as! [String: Any]
        let eosID = file.tokens.firstIndex(of: "<eos>")!
        #expect(((post["special_tokens"] as! [String: Any])["<eos>"] as! [String: Any])["ids"] as! [Int] == [eosID])
        let model = object["model"] as! [String: Any]
        #expect(model["vocab"] as! [String: Int] == Dictionary(uniqueKeysWithValues: file.tokens.enumerated().map { ($1, $0) }))
    }

    /// A d2l tokenizer.json of the order earlier LMKit wrote (Lowercase first) still reads as
    /// the d2l preset, with a note of the letters where the two orders differ.
    @Test func lowercaseBeforeTheASCIIFilterIsNoted() throws {
        let path = Fixtures.temporaryDirectory() + "/tokenizer.json"
        let json = #"{"model": {"type": "WordLevel", "vocab": {"<unk>": 0, "a": 1}, "unk_token": "<unk>"}, "pre_tokenizer": {"type": "WhitespaceSplit"}, "normalizer": {"type": "Sequence", "normalizers": [{"type": "Lowercase"}, {"type": "Replace", "pattern": {"Regex": "[^A-Za-z]+"}, "content": " "}, {"type": "Strip", "strip_left": true, "strip_right": true}]}}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let (file, notes) = try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: path)
        #expect(file.pipeline.preprocessor == Preprocessor(preset: .d2l))
        #expect(notes.contains { $0.contains("keeps the Kelvin sign and İ as k and i") })
    }

    @Test func anotherUnknownTokenAtIdZeroIsRenamed() throws {
        let path = Fixtures.temporaryDirectory() + "/tokenizer.json"
        let json = #"{"model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "a": 1, "b": 2}, "unk_token": "[UNK]"}, "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"}}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let (file, notes) = try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: path)
        #expect(file.tokens == ["<unk>", "a", "b"])
        #expect(file.pipeline == TextPipeline(preprocessor: Preprocessor(preset: .raw), level: .word))
        #expect(notes.contains { $0.contains("renamed <unk>") })
        // Mapped by name wherever it is: renamed in place, its id kept.
        let elsewhere = #"{"model": {"type": "WordLevel", "vocab": {"a": 0, "[UNK]": 1}, "unk_token": "[UNK]"}, "pre_tokenizer": {"type": "WhitespaceSplit"}}"#
        try Data(elsewhere.utf8).write(to: URL(fileURLWithPath: path))
        let (moved, _) = try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: path)
        #expect(moved.tokens == ["a", "<unk>"])
        #expect(try moved.vocabulary().unknownID == 1 && moved.vocabulary().id(of: "zebra") == 1)
        let both = #"{"model": {"type": "WordLevel", "vocab": {"a": 0, "[UNK]": 1, "<unk>": 2}, "unk_token": "[UNK]"}, "pre_tokenizer": {"type": "WhitespaceSplit"}}"#
        try Data(both.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: TokenizerJSONError.unsupported(path: path, reason: "model.unk_token is \"[UNK]\" and <unk> is another token; LMKit's unknown token is <unk>")) {
            try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: path)
        }
    }

    // MARK: - What tokenizers' own WordLevelTrainer writes

    /// `Tests/Fixtures/HuggingFace/generate.py`'s output: tokenizers' ids for PTB test lines.
    static func ptbFixture() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.committed("HuggingFace/ptb-ids.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// WordLevelTrainer without special tokens on a PTB slice, both pre-tokenizers: the file
    /// imports, and LMKit encodes every PTB test line tokenizers can encode to tokenizers' ids.
    /// WhitespaceSplit: PTB's literal `<unk>` is the corpus's second word, id 1, and unknown
    /// words map to it. Whitespace: `<unk>` is split into "<", "unk", ">", so the file has no
    /// `<unk>` (tokenizers fails on unknown words); LMKit adds one after the last id.
    @Test(arguments: [("ptb-whitespacesplit.json", "WhitespaceSplit"), ("ptb-whitespace.json", "Whitespace")])
    func ptbTokenizerFromWordLevelTrainerEncodesAsTokenizers(file: String, preTokenizer: String) throws {
        let fixture = try Self.ptbFixture()
        let lines = try #require(fixture["lines"] as? [String])
        let expected = try #require(fixture[preTokenizer] as? [Any])
        let (imported, notes) = try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: Fixtures.committed("HuggingFace/" + file))
        let vocabulary = try imported.vocabulary()
        #expect(imported.pipeline == TextPipeline(preprocessor: Preprocessor(preset: .raw), level: .word,
                                                  wordSplitting: preTokenizer == "Whitespace" ? .punctuation : .whitespace))
        if preTokenizer == "WhitespaceSplit" {
            #expect(vocabulary.unknownID == 1 && vocabulary.token(at: 0) == "the")
        } else {
            #expect(vocabulary.unknownID == vocabulary.count - 1 && ["<", "unk", ">"].allSatisfy(vocabulary.contains))
            #expect(notes.contains { $0.contains("is not in model.vocab: <unk> is added at id \(vocabulary.count - 1)") })
        }
        var compared = 0
        for (line, ids) in zip(lines, expected) {
            guard let ids = ids as? [Int] else { continue }   // tokenizers failed on this line
            let tokens = try imported.pipeline.tokens(of: line)
            #expect(vocabulary.ids(of: tokens) == ids, "\(line.debugDescription)")
            compared += 1
        }
        #expect(compared >= 30 && compared == expected.count(where: { $0 is [Int] }))
        // A word of the PTB test text outside the slice's vocabulary is <unk> (WhitespaceSplit: tokenizers' id too).
        #expect(vocabulary.id(of: "zyzzyva") == vocabulary.unknownID)
    }

    /// The Whitespace pre-tokenizer (`\w+|[^\w\s]+` in Oniguruma) on Unicode lines: LMKit's
    /// `punctuation` splitting gives tokenizers' pieces.
    @Test func punctuationSplittingIsTheWhitespacePreTokenizer() throws {
        let pieces = try #require(try Self.ptbFixture()["pieces"] as? [String: Any])
        let lines = try #require(pieces["lines"] as? [String]), expected = try #require(pieces["Whitespace"] as? [[String]])
        #expect(lines.count == expected.count && lines.count >= 200)
        let tokenizer = WordTokenizer(splitting: .punctuation)
        for (line, want) in zip(lines, expected) {
            #expect(tokenizer.tokens(of: line) == want, "\(line.debugDescription)")
        }
        #expect(tokenizer.tokens(of: "don't <unk> a_b2 x\u{1C}y") == ["don", "'", "t", "<", "unk", ">", "a_b2", "x", "\u{1C}", "y"])
    }

    /// Added tokens are found in the raw text before the pre-tokenizer: one the pre-tokenizer
    /// would split is refused, by name.
    @Test func addedTokensThePreTokenizerWouldSplitAreRefused() throws {
        let path = Fixtures.temporaryDirectory() + "/tokenizer.json"
        let json = #"{"added_tokens": [{"id": 0, "content": "<unk>", "special": true}], "model": {"type": "WordLevel", "vocab": {"<unk>": 0, "a": 1}, "unk_token": "<unk>"}, "pre_tokenizer": {"type": "Whitespace"}}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: TokenizerJSONError.self) { try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: path) }
        do { _ = try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: path) } catch {
            #expect("\(error)".contains("added_tokens.0 \"<unk>\" is found whole in the text before the pre_tokenizer"))
        }
        // With WhitespaceSplit the added token is one word anyway: accepted.
        try Data(json.replacingOccurrences(of: "\"Whitespace\"", with: "\"WhitespaceSplit\"").utf8).write(to: URL(fileURLWithPath: path))
        #expect(try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: path).file.tokens == ["<unk>", "a"])
    }
}
