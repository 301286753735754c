import Testing
@testable import LMTensor

/// The kernels' scratch memory: a block is reused by any request it fits, a larger request
/// replaces the smallest free block, blocks borrowed at once are distinct, and no more than
/// the slots are kept.
@Suite struct ScratchMemoryTests {
    @Test func aBlockIsReusedByEveryRequestItFits() {
        let scratch = ScratchMemory()
        let first = scratch.borrow(Float.self, count: 1000) { UnsafeMutableRawPointer($0) }
        #expect(scratch.borrow(Float.self, count: 1000) { UnsafeMutableRawPointer($0) } == first)
        #expect(scratch.borrow(Double.self, count: 500) { UnsafeMutableRawPointer($0) } == first)   // 4,000 bytes again
        #expect(scratch.borrow(Int32.self, count: 3) { UnsafeMutableRawPointer($0) } == first)
        #expect(Int(bitPattern: first) % 64 == 0)
        #expect(scratch.freeBlocks == 1)
    }

    @Test func aLargerRequestReplacesTheSmallestFreeBlockAndKeepsWorking() {
        let scratch = ScratchMemory()
        let small = scratch.borrow(Float.self, count: 10) { UnsafeMutableRawPointer($0) }
        let large = scratch.borrow(Float.self, count: 100_000) { p -> UnsafeMutableRawPointer in
            for i in 0..<100_000 { p[i] = Float(i) }   // the whole block is usable
            #expect(p[99_999] == 99_999)
            return UnsafeMutableRawPointer(p)
        }
        #expect(scratch.freeBlocks == 1)
        #expect(scratch.borrow(Float.self, count: 10) { UnsafeMutableRawPointer($0) } == large)
    }

    @Test func blocksBorrowedAtOnceAreDistinctAndAtMostTheSlotsAreKept() {
        let scratch = ScratchMemory()
        func nest(_ depth: Int, _ seen: [UnsafeMutableRawPointer]) {
            guard depth > 0 else {
                #expect(Set(seen).count == seen.count)
                return
            }
            scratch.borrow(UInt8.self, count: 64 * depth) { nest(depth - 1, seen + [UnsafeMutableRawPointer($0)]) }
        }
        nest(ScratchMemory.slots + 3, [])
        #expect(scratch.freeBlocks == ScratchMemory.slots)
    }
}
