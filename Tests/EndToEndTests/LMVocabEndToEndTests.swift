import Foundation
import Testing

/// `lm-vocab` run as a user would, output compared with what d2l gives.
@Suite struct LMVocabEndToEndTests {
    let tool = Tool(name: "lm-vocab")

    @Test func buildByNameReproducesTheCommittedVocabularyByteForByte() throws {
        let work = Tool.temporaryDirectory()
        // A registry beside the work directory, so the corpus is fetched from the mirror there.
        try FileManager.default.createDirectory(atPath: work + "/corpora", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Tool.repository + "/corpora/registry.json", toPath: work + "/corpora/registry.json")
        let result = try tool.run(["build", "timemachine", "--output", "tm.json"], in: work,
                                  environment: ["LM_CORPUS_MIRROR": Tool.mirror, "LM_CORPUS_REGISTRY": work + "/corpora/registry.json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("tokens:   170580"))
        #expect(result.stdout.contains("types:    28 (including <unk>)"))
        #expect(FileManager.default.fileExists(atPath: work + "/corpora/timemachine.txt"))
        let built = FileManager.default.contents(atPath: work + "/tm.json")
        let committed = FileManager.default.contents(atPath: Tool.repository + "/vocab/timemachine-char.json")
        #expect(built != nil && built == committed)
    }

    @Test func wordLevelCountsMatchD2L() throws {
        let work = Tool.temporaryDirectory()
        let result = try tool.run(["build", Tool.mirror + "/timemachine.txt", "--level", "word", "-o", "w.json"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("tokens:   32775"))
        #expect(result.stdout.contains("types:    4580 (including <unk>)"))
    }

    @Test func showEncodeAndDecodeRoundTrip() throws {
        let vocab = Tool.repository + "/vocab/timemachine-char.json"
        let show = try tool.run(["show", vocab])
        #expect(show.status == 0)
        #expect(show.stdout.contains("pipeline: d2l preset"))
        let encoded = try tool.run(["encode", "--vocab", vocab], input: "The Time Traveller!\nsaid Filby.\n")
        #expect(encoded.status == 0, "\(encoded.stderr)")
        let lines = encoded.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[0].split(separator: " ").count == "the time traveller".count)
        #expect(lines[0].hasPrefix("3 9 2 1 3 5"))   // t h e ␣ t i
        let decoded = try tool.run(["decode", "--vocab", vocab], input: encoded.stdout)
        #expect(decoded.stdout == "the time traveller\nsaid filby\n")
    }

    @Test func wordVocabularyWithEndOfLineDecodesToLines() throws {
        let work = Tool.temporaryDirectory()
        FileManager.default.createFile(atPath: work + "/c.txt", contents: Data("Hello, wörld!\nHello again.\n".utf8))
        let build = try tool.run(["build", "c.txt", "--preset", "unicode", "--level", "word", "--words", "unicode", "--eos", "-o", "v.json"], in: work)
        #expect(build.status == 0, "\(build.stderr)")
        let encoded = try tool.run(["encode", "--vocab", "v.json"], input: "hello WÖRLD zebra\n", in: work)
        let decoded = try tool.run(["decode", "--vocab", "v.json"], input: encoded.stdout, in: work)
        #expect(decoded.stdout == "hello wörld <unk>\n\n")
    }

    @Test func missingCorpusIsAOneLineErrorAndWritesNothing() throws {
        let work = Tool.temporaryDirectory()
        let result = try tool.run(["build", "nosuch.txt", "-o", "out.json"], in: work)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("lm-vocab: nosuch.txt: cannot read: no such file"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: work + "/out.json"))
    }

    @Test func invalidUTF8NamesFileAndOffsetUnlessReplaced() throws {
        let work = Tool.temporaryDirectory()
        FileManager.default.createFile(atPath: work + "/bad.txt", contents: Data([0x61, 0x62, 0x0A, 0x63, 0xC3, 0x28, 0x0A]))
        let failed = try tool.run(["build", "bad.txt", "-o", "out.json"], in: work)
        #expect(failed.status != 0)
        #expect(failed.stderr == "lm-vocab: bad.txt: invalid UTF-8 at byte offset 4 (pass --replace-invalid to substitute U+FFFD)\n")
        #expect(!FileManager.default.fileExists(atPath: work + "/out.json"))
        let replaced = try tool.run(["build", "bad.txt", "--preset", "raw", "--replace-invalid", "-o", "out.json"], in: work)
        #expect(replaced.status == 0)
        #expect(replaced.stdout.contains("\"\u{FFFD}\""))
    }

    @Test func notAVocabularyIsAClearError() throws {
        let work = Tool.temporaryDirectory()
        FileManager.default.createFile(atPath: work + "/x.json", contents: Data("{\"idx_to_token\": []}".utf8))
        let result = try tool.run(["show", "x.json"], in: work)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("lm-vocab: x.json: not an LMKit vocabulary file"))
        let badID = try tool.run(["decode", "--vocab", Tool.repository + "/vocab/timemachine-char.json"], input: "1 2 99\n")
        #expect(badID.status != 0)
        #expect(badID.stderr.contains("\"99\" is not an id"))
    }
}
