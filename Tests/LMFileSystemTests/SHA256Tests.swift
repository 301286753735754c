import Foundation
import Testing
@testable import LMFileSystem

@Suite struct SHA256Tests {
    func digest(_ text: String) -> String { SHA256.hexDigest(of: Array(text.utf8)) }

    @Test func fipsVectors() {
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(digest(String(repeating: "a", count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let text = Array((0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        var pieces = SHA256()
        var start = 0
        for size in [1, 63, 64, 65, 7, 300] where start < text.count {
            let end = min(text.count, start + size)
            text[start..<end].withUnsafeBytes { pieces.update($0) }
            start = end
        }
        text[start...].withUnsafeBytes { pieces.update($0) }
        #expect(pieces.hexDigest() == SHA256.hexDigest(of: text))
    }
}
