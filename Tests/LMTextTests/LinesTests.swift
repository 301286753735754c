import Foundation
import Testing
@testable import LMText

@Suite struct LinesTests {
    /// Random text read through tiny chunks gives the same lines and offsets as in memory.
    @Test(arguments: [1, 2, 3, 7, 64])
    func smallChunksGiveTheSameLines(chunkSize: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [UInt8] = Array("ab \n\r".utf8)
        let bytes = (0..<2_000).map { _ in alphabet.randomElement(using: &generator)! }
        let path = Fixtures.file(bytes)
        var expected: [[UInt8]] = []
        bytes.withUnsafeBufferPointer { Lines.forEach(in: $0) { expected.append(Array($0)) } }
        var lines: [[UInt8]] = []
        var offsets: [Int] = []
        try LineReader(path: path, chunkSize: chunkSize).forEachLine { line, offset in
            lines.append(Array(line)); offsets.append(offset)
        }
        #expect(lines == expected)
        #expect(lines.joined().elementsEqual(bytes))
        #expect(offsets == expected.indices.map { expected[..<$0].reduce(0) { $0 + $1.count } })
    }
}
