import Foundation
import LMData
import LMFileSystem
import LMModelFiles
import LMSettings
import LMText

extension TrainingRun {
    /// A run's token streams: the corpus cut to `maxTokens`, the validation text (a file, or
    /// the stream's end), the test text, and the digests `config.json` records of each.
    struct Streams {
        var train: TokenStream
        var validation: TokenStream?
        var test: TokenStream?
        var digests: RunData
        /// The corpus file, for messages.
        var corpusPath: String

        /// Reads the streams of `data`; a validation part too short to measure says what to change.
        init(_ data: DataSettings, corpus: TextInput, vocabulary: Vocabulary, pipeline: TextPipeline,
             resolve: (String) throws -> String) throws {
            func stream(_ path: String) throws -> (TokenStream, ContentDigest) {
                let input = try TextInput(path: try resolve(path), recordsDigest: true)
                return (try TokenStream(contentsOf: input, vocabulary: vocabulary, pipeline: pipeline), try input.contentDigest())
            }
            corpusPath = corpus.path
            train = try TokenStream(contentsOf: corpus, vocabulary: vocabulary, pipeline: pipeline,
                                    maxTokens: data.maxTokens.map { $0 == 0 ? -1 : $0 } ?? -1)
            digests = RunData(corpus: try corpus.contentDigest())
            if let file = data.validFile {
                let (validation, digest) = try stream(file)
                self.validation = validation
                digests.valid = digest
            } else if data.validationFraction > 0 {
                let split = try train.split(validation: data.validationFraction, test: 0)
                train = split.train
                validation = split.validation
            }
            digests.unknownShare = train.isEmpty ? 0 : Double(train.occurrences(of: vocabulary.unknownID)) / Double(train.count)
            if let validation, validation.count < 2 {
                if let file = data.validFile {
                    throw TrainingError.corpusTooShort("\(file): the validation file holds \(validation.count) tokens after preprocessing; at least 2 are needed to measure perplexity (use a longer data.validFile)")
                }
                let needed = String(format: "; raise data.validationFraction to at least %.4f", 2.0 / Double(train.count + validation.count))
                throw TrainingError.corpusTooShort("\(corpus.path): the validation part (data.validationFraction \(data.validationFraction)) holds \(validation.count) tokens; at least 2 are needed to measure perplexity\(needed)")
            }
            if let file = data.testFile {
                let (test, digest) = try stream(file)
                self.test = test
                digests.test = digest
            }
        }
    }
}
