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

    /// Blocks are whole lines (or, without a line end in the buffer, a line's head cut at a
    /// safe place), in order and without gaps.
    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func blocksAreWholeLinesInOrder(chunkSize: Int) throws {
        var random = Mutations(seed: UInt64(chunkSize))
        let alphabet: [UInt8] = Array("ab \n\r".utf8)
        let bytes = (0..<3_000).map { _ in alphabet[random.below(alphabet.count)] }
        let path = Fixtures.file(bytes)
        let cut: (UnsafeBufferPointer<UInt8>, Int) -> Bool = { $0[$1 - 1] == UInt8(ascii: "a") }
        var joined: [UInt8] = []
        try LineReader(path: path, chunkSize: chunkSize).forEachBlock(cuttingAt: cut) { block, offset, endsLine in
            #expect(offset == joined.count)
            #expect(!block.isEmpty)
            if endsLine {
                #expect(block.last == 0x0A || offset + block.count == bytes.count)
            } else {
                #expect(!block.contains(0x0A) && block.last == UInt8(ascii: "a"))
            }
            joined += block
        }
        #expect(joined == bytes)
    }
}
