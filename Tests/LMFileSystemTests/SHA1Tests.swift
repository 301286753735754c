import Foundation
import Testing
@testable import LMFileSystem

@Suite struct SHA1Tests {
    func digest(_ text: String) -> String {
        var hash = SHA1()
        Array(text.utf8).withUnsafeBytes { hash.update($0) }
        return hash.hexDigest()
    }

    @Test func fipsVectors() {
        #expect(digest("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(digest("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(digest(String(repeating: "a", count: 1_000_000)) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let text = Array((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        var oneShot = SHA1()
        text.withUnsafeBytes { oneShot.update($0) }
        var pieces = SHA1()
        var start = 0
        for size in [1, 63, 64, 65, 7, 300] where start < text.count {
            let end = min(text.count, start + size)
            text[start..<end].withUnsafeBytes { pieces.update($0) }
            start = end
        }
        text[start...].withUnsafeBytes { pieces.update($0) }
        #expect(pieces.hexDigest() == oneShot.hexDigest())
    }

    @Test func timeMachineHasD2LsHash() throws {
        #expect(try SHA1.hexDigest(ofFile: Fixtures.timeMachine) == "090b5e7e70c295757f55df93cb0a180b9691891a")
    }
}
