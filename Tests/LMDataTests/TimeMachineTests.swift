import Foundation
import LMText
import Testing
@testable import LMData

/// d2l's time machine corpus (REFERENCE.md): 170,580 characters with d2l's preprocessing, 28 types;
/// with max_tokens = 10,000, batch 32 × 35 steps there are 8 batches per epoch.
@Suite struct TimeMachineTests {
    /// From $LM_CORPUS_MIRROR, else ../shared/data beside the repository (as bin/test arranges).
    static let path: String = {
        if let mirror = ProcessInfo.processInfo.environment["LM_CORPUS_MIRROR"], !mirror.isEmpty {
            return mirror + "/timemachine.txt"
        }
        var repository = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { repository.deleteLastPathComponent() }
        return repository.deletingLastPathComponent().path + "/shared/data/timemachine.txt"
    }()

    @Test(.enabled(if: FileManager.default.fileExists(atPath: path)))
    func batchesPerEpochMatchD2LForEveryOffset() throws {
        let pipeline = TextPipeline() // d2l preset, character level
        let vocabulary = try Vocabulary(counts: TokenCounts(file: Self.path, pipeline: pipeline))
        #expect(vocabulary.count == 28)
        let full = try TokenStream(contentsOfFile: Self.path, vocabulary: vocabulary, pipeline: pipeline)
        #expect(full.count == 170_580)
        #expect(full.width == .uint8)
        let stream = try TokenStream(contentsOfFile: Self.path, vocabulary: vocabulary, pipeline: pipeline, maxTokens: 10_000)
        #expect(stream.count == 10_000)
        #expect(stream == full.prefix(maxTokens: 10_000))

        let (batch, steps, n) = (32, 35, 10_000)
        for offset in 0...steps {
            // d2l's formulas, written out: sequential ((n − o − 1) // b) // steps …
            let d2lSequential = ((n - offset - 1) / batch * batch / batch) / steps
            var sequential = try SequentialSampler(stream: stream, batchSize: batch, steps: steps, offset: offset)
            #expect(sequential.batchesPerEpoch == d2lSequential)
            var b = Batch(), produced = 0
            while sequential.next(into: &b) { produced += 1 }
            #expect(produced == d2lSequential)
            #expect(produced == 8)
            // … and random ((n − o − 1) // steps) // b, for offsets in 0..<steps.
            guard offset < steps else { continue }
            let d2lRandom = ((n - offset - 1) / steps) / batch
            var random = try RandomSampler(stream: stream, batchSize: batch, steps: steps, offset: offset,
                                           generator: RandomGenerator(seed: UInt64(offset)))
            #expect(random.batchesPerEpoch == d2lRandom)
            produced = 0
            while random.next(into: &b) { produced += 1 }
            #expect(produced == d2lRandom)
            #expect(produced == 8)
        }
        // 8 batches × 32 × 35 = 8,960 target tokens per epoch.
        #expect(8 * batch * steps == 8_960)
    }
}
