import Testing
import LMData
@testable import LMToyTasks

@Suite struct CountingSequenceTests {
    @Test func matchesTheChainerTutorialOutput() throws {
        // Chainer tutorial, N_VOCABULARY = 10: 1 2 2 3 3 3 … 9 (nine times), then 1 2 2 … again.
        let dataset = try CountingSequence(vocabularySize: 10, repeats: 100)
        let ids = dataset.ids
        #expect(dataset.cycleLength == 45)
        #expect(ids.count == 4_500)
        #expect(Array(ids.prefix(10)) == [1, 2, 2, 3, 3, 3, 4, 4, 4, 4])
        #expect(Array(ids[36..<46]) == [9, 9, 9, 9, 9, 9, 9, 9, 9, 1])
        #expect(ids.suffix(9).allSatisfy { $0 == 9 })
    }

    @Test(arguments: 2...40)
    func everyValueRunsExactlyItsOwnLength(vocabularySize: Int) throws {
        let repeats = 1 + vocabularySize % 4
        let dataset = try CountingSequence(vocabularySize: vocabularySize, repeats: repeats)
        let ids = dataset.ids
        #expect(ids.count == repeats * vocabularySize * (vocabularySize - 1) / 2)
        // Independent check: split into runs of equal values; value v must form a run of length v,
        // and runs go 1, 2, …, vocabularySize − 1, then start over.
        var runs: [(value: Int32, length: Int)] = []
        for id in ids {
            if let last = runs.last, last.value == id, last.length < Int(id) {
                runs[runs.count - 1].length += 1
            } else {
                runs.append((id, 1))
            }
        }
        #expect(runs.count == repeats * (vocabularySize - 1))
        for (k, run) in runs.enumerated() {
            #expect(run.value == Int32(k % (vocabularySize - 1) + 1))
            #expect(run.length == Int(run.value))
        }
        let stream = try dataset.tokenStream()
        #expect(stream.vocabularySize == vocabularySize && stream.ids == ids)
        #expect(ids.allSatisfy { $0 >= 1 && $0 < Int32(vocabularySize) })
    }

    @Test func rejectsDegenerateParameters() {
        #expect(throws: ToyTaskError.self) { try CountingSequence(vocabularySize: 1) }
        #expect(throws: ToyTaskError.self) { try CountingSequence(vocabularySize: 5, repeats: 0) }
    }
}
