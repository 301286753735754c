import Foundation
import LMTestSupport
import Testing
@testable import LMFileSystem

/// Issue 30: an output never replaces one of the command's inputs, however its path is
/// spelled, and writes never follow a link planted at a temporary name.
@Suite struct InputFilesTests {
    func directory() -> String {
        let path = TemporaryFolders.make("lmfilesystem")
        return path
    }

    @Test func anOutputThatIsAnInputBySameFileIsRefusedAndNothingIsWritten() throws {
        let work = directory()
        let input = work + "/f.txt"
        _ = FileManager.default.createFile(atPath: input, contents: Data("corpus\n".utf8))
        #expect(link(input, work + "/hard.txt") == 0)
        #expect(symlink("f.txt", work + "/link.txt") == 0)
        let inputs = InputFiles([input, work + "/missing.txt"])
        for output in [input, work + "/./f.txt", work + "/hard.txt", work + "/link.txt"] {
            #expect(throws: FileError.overwritesInput(output: output, input: input)) {
                try AtomicFile.write(Data("replaced".utf8), to: output, sparing: inputs)
            }
        }
        #expect(FileManager.default.contents(atPath: input) == Data("corpus\n".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: work).sorted() == ["f.txt", "hard.txt", "link.txt"])
        try AtomicFile.write(Data("new".utf8), to: work + "/other.txt", sparing: inputs)
        #expect(FileManager.default.contents(atPath: work + "/other.txt") == Data("new".utf8))
        #expect(FileError.overwritesInput(output: "./f.txt", input: "f.txt").description
                == "./f.txt: cannot write the output there: it is the same file as the input f.txt; choose another output file")
    }

    @Test func aLinkAtTheTemporaryNameIsNotFollowed() throws {
        let work = directory()
        let victim = work + "/victim"
        _ = FileManager.default.createFile(atPath: victim, contents: Data("precious".utf8))
        let output = work + "/out.json"
        #expect(symlink(victim, AtomicFile.temporaryPath(for: output)) == 0)
        try AtomicFile.write(Data("{}".utf8), to: output)
        #expect(FileManager.default.contents(atPath: victim) == Data("precious".utf8))
        #expect(FileManager.default.contents(atPath: output) == Data("{}".utf8))
    }

    @Test func aLegalLongNameHasALegalTemporary() throws {
        let work = directory()
        for length in [200, 250, 255] {
            let name = String(repeating: "a", count: length - 5) + ".json"
            let temporary = URL(fileURLWithPath: AtomicFile.temporaryPath(for: work + "/" + name)).lastPathComponent
            #expect(temporary.utf8.count <= 255 && temporary.hasPrefix("."))
            try AtomicFile.write(Data("{}".utf8), to: work + "/" + name)
            #expect(FileManager.default.contents(atPath: work + "/" + name) == Data("{}".utf8))
        }
        let wide = String(repeating: "é", count: 125) + ".txt"   // 254 bytes: cut on a character boundary
        try AtomicFile.write(Data("x".utf8), to: work + "/" + wide)
        #expect(try FileManager.default.contentsOfDirectory(atPath: work).filter { $0.hasPrefix(".") }.isEmpty)
        // Short names keep the `.<name>.tmp-<pid>` form crash-debris cleaning recognises.
        #expect(AtomicFile.temporaryPath(for: work + "/config.json") == work + "/.config.json.tmp-\(getpid())")
    }

    @Test func aDeviceThatReadsEmptyIsEmpty() throws {
        #expect(try FileAccess.contents(of: "/dev/null") == Data())
        #expect(throws: FileError.unreadable(path: "/", reason: "it is a directory")) { try FileAccess.contents(of: "/") }
    }
}
