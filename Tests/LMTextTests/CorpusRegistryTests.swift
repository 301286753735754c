import Foundation
import LMFileSystem
import Testing
@testable import LMText

@Suite struct CorpusRegistryTests {
    /// A registry in a fresh directory with one corpus "tiny" whose good copy sits in a mirror.
    func setUp(content: String = "tiny corpus\n", url: String = "http://127.0.0.1:9/tiny.txt") throws -> (registry: CorpusRegistry, mirror: String, directory: String) {
        let directory = Fixtures.temporaryDirectory()
        let mirror = Fixtures.temporaryDirectory()
        _ = FileManager.default.createFile(atPath: mirror + "/tiny.txt", contents: Data(content.utf8))
        var hash = SHA1()
        Array("tiny corpus\n".utf8).withUnsafeBytes { hash.update($0) }
        let json = "{\"tiny\": {\"url\": \"\(url)\", \"sha1\": \"\(hash.hexDigest())\", \"file\": \"tiny.txt\"}}"
        _ = FileManager.default.createFile(atPath: directory + "/registry.json", contents: Data(json.utf8))
        return (try CorpusRegistry(file: directory + "/registry.json"), mirror, directory)
    }

    /// The registry compiled in (for programs that depend on the package) is the repository's file.
    @Test func builtInIsTheRepositorysRegistry() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try CorpusRegistry(file: root.appendingPathComponent("corpora/registry.json").path)
        #expect(CorpusRegistry.builtIn.entries == file.entries)
        #expect(CorpusRegistry.builtIn.directory == "corpora")
    }

    @Test func nameIsFetchedFromTheMirrorAndChecked() throws {
        let (registry, mirror, directory) = try setUp()
        let path = try registry.resolve("tiny", mirror: mirror)
        #expect(path == directory + "/tiny.txt")
        #expect(FileManager.default.contents(atPath: path) == Data("tiny corpus\n".utf8))
        // Second time: already there, no mirror needed.
        #expect(try registry.resolve("tiny", mirror: nil) == path)
    }

    @Test func missingPathWithARegisteredFileNameIsFetchedThere() throws {
        let (registry, mirror, _) = try setUp()
        let target = Fixtures.temporaryDirectory() + "/tiny.txt"
        #expect(try registry.resolve(target, mirror: mirror) == target)
        #expect(FileManager.default.fileExists(atPath: target))
    }

    @Test func wrongHashIsAClearErrorAndLeavesNothing() throws {
        let (registry, mirror, directory) = try setUp(content: "tampered\n")
        #expect(throws: TextError.self) { try registry.resolve("tiny", mirror: mirror) }
        #expect(!FileManager.default.fileExists(atPath: directory + "/tiny.txt"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["registry.json"])
    }

    @Test func noNetworkAndNoMirrorSaysWhatToDo() throws {
        let (registry, _, directory) = try setUp()
        do {
            _ = try registry.resolve("tiny", mirror: Fixtures.temporaryDirectory())
            Issue.record("should fail without network or mirror")
        } catch let error as TextError {
            #expect(error.description.contains("set LM_CORPUS_MIRROR to a directory holding tiny.txt"))
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/tiny.txt"))
    }

    @Test func unknownNameListsTheRegisteredOnes() throws {
        let (registry, _, _) = try setUp()
        #expect(throws: FileError.unreadable(path: "nosuch", reason: "no such file, and no corpus of that name in the registry (registered: tiny)")) {
            try registry.resolve("nosuch", mirror: nil)
        }
    }

    /// Issue 30: an entry whose file sits in a subfolder ("sub/tiny.txt", in the mirror and
    /// beside the registry) is copied there and read with the entry's defaults.
    @Test func anEntryInASubfolderIsFetchedFromTheMirrorsSubfolder() throws {
        let directory = Fixtures.temporaryDirectory()
        let mirror = Fixtures.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: mirror + "/sub", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: mirror + "/sub/tiny.txt", contents: Data("tiny corpus\n".utf8))
        var hash = SHA1()
        Array("tiny corpus\n".utf8).withUnsafeBytes { hash.update($0) }
        let entry = CorpusRegistry.Entry(url: "http://127.0.0.1:9/tiny.txt", sha1: hash.hexDigest(), file: "sub/tiny.txt",
                                         samplePrefix: "tiny")
        let registry = CorpusRegistry(entries: ["tiny": entry], directory: directory)
        let corpus = try registry.corpus("tiny", mirror: mirror)
        #expect(corpus.train == directory + "/sub/tiny.txt")
        #expect(corpus.samplePrefix == "tiny")
        #expect(FileManager.default.contents(atPath: corpus.train) == Data("tiny corpus\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/sub") == ["tiny.txt"])   // no temporary left
    }

    /// Issue 30: a broken registry is needed only for a corpus given by name; a plain file is
    /// read as it is.
    @Test func aBrokenRegistryDoesNotBlockAPlainFile() throws {
        let directory = Fixtures.temporaryDirectory()
        _ = FileManager.default.createFile(atPath: directory + "/registry.json", contents: Data("{broken".utf8))
        _ = FileManager.default.createFile(atPath: directory + "/plain.txt", contents: Data("text\n".utf8))
        let environment = ["LM_CORPUS_REGISTRY": directory + "/registry.json"]
        let registry = try CorpusRegistry.standard(for: directory + "/plain.txt", environment: environment)
        #expect(try registry.corpus(directory + "/plain.txt", mirror: nil) == CorpusRegistry.Corpus(train: directory + "/plain.txt"))
        #expect(throws: TextError.self) { try CorpusRegistry.standard(for: "timemachine", environment: environment) }
    }

    @Test func repositoryRegistryHasD2LsTimeMachine() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let registry = try CorpusRegistry(file: repository.path + "/corpora/registry.json")
        #expect(registry.entries["timemachine"] == .init(url: "http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt",
                                                        sha1: "090b5e7e70c295757f55df93cb0a180b9691891a", file: "timemachine.txt",
                                                        samplePrefix: "time traveller"))
    }
}

/// Issue 28: tinyshakespeare by name, and the registry's validation fraction.
@Suite struct CorpusRegistryFractionTests {
    @Test func tinyshakespeareResolvesThroughTheMirror() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let directory = Fixtures.temporaryDirectory()
        try FileManager.default.copyItem(atPath: repository.path + "/corpora/registry.json", toPath: directory + "/registry.json")
        let registry = try CorpusRegistry(file: directory + "/registry.json")
        let mirror = URL(fileURLWithPath: Fixtures.timeMachine).deletingLastPathComponent().path
        let corpus = try registry.corpus("tinyshakespeare", mirror: mirror)
        #expect(corpus.train == directory + "/tinyshakespeare.txt")
        #expect(try SHA1.hexDigest(ofFile: corpus.train) == "04486597058d11dcc2c556b1d0433891eb639d2e")
        #expect(corpus.validationFraction == 0.1 && corpus.isBenchmark && !corpus.hasSplits)
        #expect(corpus.pipeline == PipelineChoice(level: .char, preset: .raw))
        #expect(corpus.samplePrefix == "ROMEO:")
    }

    @Test func aFractionOutsideZeroToOneIsRefused() throws {
        let directory = Fixtures.temporaryDirectory()
        let json = "{\"t\": {\"url\": \"http://127.0.0.1:9/t.txt\", \"sha1\": \"00\", \"file\": \"t.txt\", \"validationFraction\": 1.5}}"
        _ = FileManager.default.createFile(atPath: directory + "/registry.json", contents: Data(json.utf8))
        #expect(throws: TextError.invalidSetting("\(directory)/registry.json: t's validationFraction 1.5 must be in (0, 1)")) {
            try CorpusRegistry(file: directory + "/registry.json")
        }
    }
}
