import Testing
@testable import LMData

@Suite struct EvaluationRowsTests {
    /// PyTorch's word_language_model, written out on token positions 0..<n:
    /// `batchify(data, bsz)` = `data.narrow(0, 0, nbatch·bsz).view(bsz, −1).t()` with
    /// `nbatch = n // bsz` — a row-major bsz × nbatch matrix, transposed, so that
    /// `source[t][j] = data[j·nbatch + t]`; `evaluate` then reads `get_batch(source, i)` for
    /// i in range(0, nbatch − 1, bptt): `seq_len = min(bptt, nbatch − 1 − i)`, inputs
    /// `source[i ..< i + seq_len]`, targets `source[i + 1 ..< i + 1 + seq_len]`.
    /// Returns every (input position, target position) pair of every column, in reading order.
    static func batchifyPairs(tokens n: Int, bsz: Int, bptt: Int) -> [[(Int, Int)]] {
        let nbatch = n / bsz
        let data = Array(0..<(nbatch * bsz))                     // narrow(0, 0, nbatch·bsz)
        let viewed = (0..<bsz).map { j in Array(data[(j * nbatch)..<((j + 1) * nbatch)]) }   // view(bsz, −1)
        let source = (0..<nbatch).map { t in (0..<bsz).map { j in viewed[j][t] } }          // .t()
        var columns = [[(Int, Int)]](repeating: [], count: bsz)
        for i in stride(from: 0, to: nbatch - 1, by: bptt) {
            let seqLen = min(bptt, nbatch - 1 - i)
            for t in 0..<seqLen {
                for j in 0..<bsz { columns[j].append((source[i + t][j], source[i + 1 + t][j])) }
            }
        }
        return columns
    }

    /// The rows LMKit reads: each row's (input, target) positions, one step at a time.
    static func lmkitPairs(_ rows: EvaluationRows) -> [[(Int, Int)]] {
        (0..<rows.rows).map { r in
            (0..<rows.predictionsPerRow).map { t in (rows.start(ofRow: r) + t, rows.start(ofRow: r) + t + 1) }
        }
    }

    @Test func rowsAreBatchifyColumns() throws {
        for n in [2, 3, 20, 21, 29, 35, 36, 100, 101, 997, 82_430, 82_439] {
            for bsz in [1, 2, 3, 7, 10, 20] where n >= 2 * bsz {
                let rows = try #require(EvaluationRows(tokens: n, batch: bsz))
                #expect(rows.rows == bsz)
                let expected = Self.batchifyPairs(tokens: n, bsz: bsz, bptt: 35)
                let got = Self.lmkitPairs(rows)
                #expect(got.map { $0.map(\.0) } == expected.map { $0.map(\.0) }, "inputs, n \(n), bsz \(bsz)")
                #expect(got.map { $0.map(\.1) } == expected.map { $0.map(\.1) }, "targets, n \(n), bsz \(bsz)")
                #expect(rows.predictions == expected.map(\.count).reduce(0, +))
            }
        }
    }

    /// One row is Chainer's evaluation iterator: the whole text, every token but the first predicted.
    @Test func oneRowIsTheWholeText() throws {
        let rows = try #require(EvaluationRows(tokens: 1_001, batch: 1))
        #expect(rows.rows == 1 && rows.length == 1_001 && rows.predictions == 1_000)
    }

    /// A text shorter than two tokens a row gets fewer rows (PyTorch's would divide by zero);
    /// under two tokens there is nothing to predict.
    @Test func shortTextsGetFewerRows() throws {
        let rows = try #require(EvaluationRows(tokens: 9, batch: 10))
        #expect(rows.rows == 4 && rows.length == 2 && rows.predictions == 4)
        #expect(EvaluationRows(tokens: 1, batch: 10) == nil)
        #expect(EvaluationRows(tokens: 0, batch: 1) == nil)
    }
}
