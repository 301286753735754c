import Foundation
import LMTestSupport
import Testing
@testable import LMFileSystem

@Suite struct AtomicFileTests {
    @Test func aMissingDirectoryIsUnwritableInPlainWords() throws {
        let path = TemporaryFolders.make("lmfilesystem") + "/nested/file"
        #expect(throws: FileError.unwritable(path: path, reason: "no such file")) {
            try AtomicFile.write(Data("x".utf8), to: path)
        }
        #expect(throws: FileError.unreadable(path: path, reason: "no such file")) { try FileAccess.contents(of: path) }
    }
}
