import Foundation
import LMTestSupport
import Testing
@testable import LMFileSystem

@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: Download.curl), "needs curl"))
struct DownloadTests {
    let directory: String = {
        let path = TemporaryFolders.make("lmfilesystem")
        return path
    }()

    @Test func aFileURLIsCopied() throws {
        let source = directory + "/source.txt"
        try AtomicFile.write(Data("abc\n".utf8), to: source)
        try Download.fetch("file://" + source, to: directory + "/copy.txt")
        #expect(try FileAccess.contents(of: directory + "/copy.txt") == Data("abc\n".utf8))
    }

    @Test func aFailedTransferSaysWhatCurlSaid() throws {
        let url = "file://" + directory + "/missing.txt"
        do {
            try Download.fetch(url, to: directory + "/copy.txt")
            Issue.record("a missing file should not download")
        } catch let DownloadError.failed(failed, reason) {
            #expect(failed == url)
            #expect(!reason.isEmpty)
        }
    }
}
