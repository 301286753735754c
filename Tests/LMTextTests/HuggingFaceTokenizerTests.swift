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
        #expect(normalizers.map { $0["type"] as! String } == ["Lowercase", "Replace", "Strip"])
        #expect((normalizers[1]["pattern"] as! [String: String]) == ["Regex": "[^A-Za-z]+"])
        #expect((object["pre_tokenizer"] as! [String: String]) == ["type": "WhitespaceSplit"])
        let post = object["post_processor"] as! [String: Any]
        let eosID = file.tokens.firstIndex(of: "<eos>")!
        #expect(((post["special_tokens"] as! [String: Any])["<eos>"] as! [String: Any])["ids"] as! [Int] == [eosID])
        let model = object["model"] as! [String: Any]
        #expect(model["vocab"] as! [String: Int] == Dictionary(uniqueKeysWithValues: file.tokens.enumerated().map { ($1, $0) }))
    }

    @Test func anotherUnknownTokenAtIdZeroIsRenamed() throws {
        let path = Fixtures.temporaryDirectory() + "/tokenizer.json"
        let json = #"{"model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "a": 1, "b": 2}, "unk_token": "[UNK]"}, "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"}}"#
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let (file, notes) = try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: path)
        #expect(file.tokens == ["<unk>", "a", "b"])
        #expect(file.pipeline == TextPipeline(preprocessor: Preprocessor(preset: .raw), level: .word))
        #expect(notes.contains { $0.contains("renamed <unk>") })
        let elsewhere = #"{"model": {"type": "WordLevel", "vocab": {"a": 0, "[UNK]": 1}, "unk_token": "[UNK]"}, "pre_tokenizer": {"type": "WhitespaceSplit"}}"#
        try Data(elsewhere.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: TokenizerJSONError.unsupported(path: path, reason: "unk_token \"[UNK]\" has id 1; LMKit's unknown token is id 0")) {
            try HuggingFaceTokenizer.vocabularyFile(fromTokenizerAt: path)
        }
    }
}
