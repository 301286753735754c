import Foundation
import Testing
import LMData
import LMSettings
@testable import LMModels

@Suite struct EvaluatorTests {
    /// `batch` rows are batchify's columns: row j is tokens j·L ..< (j + 1)·L with L = n / batch,
    /// each read from a zero state. So the batched loss is the mean of each column read alone
    /// as a one-row text (each with L − 1 predictions), and the tail n mod batch is never read.
    @Test func rowsAreBatchifyColumnsEachReadFromZero() throws {
        let config = ModelConfig(kind: .lstm, vocabularySize: 11, embeddingSize: 5, hiddenSize: 7, layers: 2, initialization: .uniform(bound: 0.4))
        var g = RandomGenerator(seed: 3), rng = SplitMix64(seed: 9)
        let model = try RecurrentLM<Float>(config: config, using: &g)
        let ids = randomTokens(1_007, vocabulary: 11, &rng)   // 1007 = 10 · 100 + 7: a tail of 7
        let stream = try TokenStream(ids: ids, vocabularySize: 11)
        let batched = try Evaluator.evaluate(model, on: stream, batch: 10, steps: 35)
        #expect(batched.tokens == 10 * 99)
        var sum = 0.0
        for j in 0..<10 {
            let column = try TokenStream(ids: ids[(j * 100)..<((j + 1) * 100)], vocabularySize: 11)
            let alone = try Evaluator.evaluate(model, on: column, batch: 1, steps: 13)
            #expect(alone.tokens == 99)
            sum += alone.loss * Double(alone.tokens)
        }
        #expect(abs(batched.loss - sum / Double(10 * 99)) <= 1e-6 * batched.loss)
        // The tail does not count: changing it changes nothing.
        var changed = ids
        for i in 1_000..<1_007 { changed[i] = (changed[i] + 1) % 11 }
        #expect(try Evaluator.evaluate(model, on: TokenStream(ids: changed, vocabularySize: 11), batch: 10, steps: 35).loss == batched.loss)
        // One row: every token but the first is predicted (Chainer's iterator).
        #expect(try Evaluator.evaluate(model, on: stream, batch: 1, steps: 35).tokens == 1_006)
    }
}
