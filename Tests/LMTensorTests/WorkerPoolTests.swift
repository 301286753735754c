import Testing
@testable import LMTensor

@Suite struct WorkerPoolTests {
    /// Split passes visit every row (and every column) exactly once, in blocks of whole
    /// rows (columns in multiples of 16 but the last), and passes under the threshold run
    /// inline as one block.
    @Test func parallelRowsAndColumnsVisitEveryIndexOnce() {
        let pool = WorkerPool.shared
        pool.elementThreshold = 0
        for (count, width) in [(1, 5), (2, 1), (7, 3), (1000, 40), (33, 100)] {
            let rows = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
            rows.initialize(repeating: 0)
            pool.parallelRows(count, width: width) { block in for r in block { rows[r] += 1 } }
            #expect(rows.allSatisfy { $0 == 1 }, "rows \(count)")
            rows.deallocate()
            let cols = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
            cols.initialize(repeating: 0)
            pool.parallelColumns(count, rows: width) { block in
                #expect(block.lowerBound % 16 == 0)
                for c in block { cols[c] += 1 }
            }
            #expect(cols.allSatisfy { $0 == 1 }, "columns \(count)")
            cols.deallocate()
        }
        var blocks: [Range<Int>] = []
        let inline = WorkerPool(workers: 1)
        inline.elementThreshold = 10_000
        inline.parallelRows(100, width: 10) { blocks.append($0) }
        #expect(blocks == [0..<100])
    }
}
