import Foundation
@testable import LMData

/// Seeds for property tests: each test case gets its own configuration drawn from its seed.
let propertySeeds: [UInt64] = Array(1...40)

/// A random stream of `length` ids below `vocabularySize`, plus the same ids as plain Ints.
func randomStream(length: Int, vocabularySize: Int, generator: inout RandomGenerator) throws -> (TokenStream, [Int]) {
    let ids = (0..<length).map { _ in generator.next(below: vocabularySize) }
    return (try TokenStream(ids: ids, vocabularySize: vocabularySize), ids)
}

/// A stream whose id at position p is p (mod the vocabulary): makes positions easy to read back.
func positionStream(length: Int) throws -> TokenStream {
    try TokenStream(ids: 0..<length, vocabularySize: max(length, 1))
}

/// Encodes a value to JSON and decodes it back, as a checkpoint would.
func jsonRoundTrip<T: Codable>(_ value: T) throws -> T {
    let data = try JSONEncoder().encode(value)
    return try JSONDecoder().decode(T.self, from: data)
}

/// A copy of a batch's filled data, for comparing sequences of batches.
struct BatchSnapshot: Equatable {
    var x: [[Int32]]
    var y: [[Int32]]
    init(_ batch: Batch) {
        x = (0..<batch.batchSize).map { r in (0..<batch.filledSteps).map { batch.input(row: r, step: $0) } }
        y = (0..<batch.batchSize).map { r in (0..<batch.filledSteps).map { batch.target(row: r, step: $0) } }
    }
}

/// The next `count` results of a sampler: a snapshot per produced batch, `nil` for an epoch end.
func take<S: Sampler>(_ count: Int, from sampler: inout S) -> [BatchSnapshot?] {
    var batch = Batch()
    return (0..<count).map { _ in sampler.next(into: &batch) ? BatchSnapshot(batch) : nil }
}

/// Asserts-free check that every filled target is the stream element after its input, given
/// the stream positions of the inputs (`position(row, step)`), and that inputs match the stream.
func matchesStream(_ batch: Batch, ids: [Int], position: (Int, Int) -> Int) -> Bool {
    for r in 0..<batch.batchSize {
        for t in 0..<batch.filledSteps {
            let p = position(r, t)
            if Int(batch.input(row: r, step: t)) != ids[p % ids.count] { return false }
            if Int(batch.target(row: r, step: t)) != ids[(p + 1) % ids.count] { return false }
        }
    }
    return true
}
