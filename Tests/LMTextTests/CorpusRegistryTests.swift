import Foundation
import LMFileSystem
import Testing
@testable import LMText

@Suite struct CorpusRegistryTests {
    /// A registry in a fresh directory with one corpus "tiny" whose good copy sits in a mirror.
    func setUp(content: String = "tiny corpus\n", url: String = "http://127.0.0.1:9/tiny.txt") throws -> (registry: CorpusRegistry, mirror: String, directory: String) {
        let directory = Fixtures.temporaryDirectory()
        let mirror = Fixtures.temporaryDirectory()
        FileManager.default.createFile(atPath: mirror + "/tiny.txt", contents: Data(content.utf8))
        var hash = SHA1()
        Array("tiny corpus\n".utf8).withUnsafeBytes { hash.update($0) }
        let json = "{\"tiny\": {\"url\": \"\(url)\", \"sha1\": \"\(hash.hexDigest())\", \"file\": \"tiny.txt\"}}"
        FileManager.default.createFile(atPath: directory + "/registry.json", contents: Data(json.utf8))
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

    @Test func repositoryRegistryHasD2LsTimeMachine() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let registry = try CorpusRegistry(file: repository.path + "/corpora/registry.json")
        #expect(registry.entries["timemachine"] == .init(url: "http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt",
                                                        sha1: "090b5e7e70c295757f55df93cb0a180b9691891a", file: "timemachine.txt",
                                                        samplePrefix: "time traveller"))
    }
}
