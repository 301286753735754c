import Foundation
import LMData
import LMModelFiles
import LMModels
import LMText

/// One `lm-generate` run: a trained model (a run directory) continues a prefix.
///
/// The prefix goes through the model's own preprocessing and tokenizer; a note says when that
/// changed it, a warning names tokens read as `<unk>`. The output is the prefix as the model
/// read it, then the continuation: streamed token by token for one sample, one line per
/// sample for several (drawn in one batched pass). Beam search prints its best hypothesis,
/// or with several samples its N best, one per line, best first.
public struct GenerationRequest: Sendable {
    /// The run directory.
    public var model: String
    /// Text to continue (at least one token after preprocessing).
    public var prefix: String
    /// A file holding the prefix instead (``PrefixFile``: `-` for stdin); `prefix` is then empty.
    public var prefixFile: String? = nil
    /// Tokens to generate per sample.
    public var length: Int
    public var sampling: SamplingOptions
    /// Seed of the sampler's random generator; nil for a random one (noted when it matters).
    public var seed: UInt64?
    /// Continuations drawn together (beam search: the N best hypotheses printed, N ≤ K).
    public var samples: Int
    /// Fail on prefix tokens outside the vocabulary instead of reading them as `<unk>`.
    public var strict: Bool
    /// Let the model emit `<unk>`.
    public var allowUnknown: Bool
    /// Read the prefix as the start of a line, with no `<eos>` after it (word models whose
    /// vocabulary puts `<eos>` after every line), so that generation continues its sentence.
    public var continueLine: Bool
    /// Note the generation speed when done.
    public var stats: Bool

    public init(model: String = RunDirectory.latest, prefix: String, length: Int = 50, sampling: SamplingOptions = .init(),
                seed: UInt64? = nil, samples: Int = 1, strict: Bool = false, allowUnknown: Bool = false, stats: Bool = false,
                prefixFile: String? = nil, continueLine: Bool = false) {
        self.continueLine = continueLine
        self.prefixFile = prefixFile
        self.model = model
        self.prefix = prefix
        self.length = length
        self.sampling = sampling
        self.seed = seed
        self.samples = samples
        self.strict = strict
        self.allowUnknown = allowUnknown
        self.stats = stats
    }

    /// Throws ``GenerationError/invalidSetting(_:)`` for settings that cannot work (the
    /// messages name `lm-generate`'s options), before any file is read.
    public func validate() throws {
        if prefixFile != nil && !prefix.isEmpty { throw GenerationError.invalidSetting("give generation.prefix or generation.prefixFile, not both") }
        if prefixFile == nil && prefix.isEmpty { throw GenerationError.invalidSetting("generation.prefix is empty; generation starts from the prefix's last token, so give at least one") }
        if length < 0 { throw GenerationError.invalidSetting("generation.length must be ≥ 0 (got \(length))") }
        if samples < 1 { throw GenerationError.invalidSetting("generation.samples must be ≥ 1 (got \(samples))") }
        try sampling.validate()
        if let search = sampling.beamSearch, samples > search.beams {
            throw GenerationError.invalidSetting(
                "generation.samples (\(samples)) must be ≤ sampling.beams (\(search.beams)): with sampling.strategy beam it prints the N best hypotheses")
        }
    }

    /// Loads the model and generates into `output`; notes, warnings and the seed go to `note`
    /// (one line each). What was generated before an error is flushed.
    /// - Throws: the run directory's, the prefix's and generation's errors; a `ModelError` as
    ///   ``ModelFileError/model(path:_:)`` naming the run.
    public func run(writingTo output: any TextOutput, note: @escaping (String) -> Void) throws {
        do {
            let trained = try RunDirectory.load(model)
            let generator = try Generator(model: trained.model, vocabularyFile: trained.vocabularyFile)
            let text = try prefixFile.map(PrefixFile.read) ?? prefix
            if text.isEmpty, let prefixFile {
                throw GenerationError.invalidSetting("\(prefixFile == "-" ? "<stdin>" : prefixFile): the prefix file is empty; generation starts from the prefix's last token, so give at least one")
            }
            let read = try generator.encode(prefix: text, strict: strict, continuingLine: continueLine)
            if read.changed {
                note("note: the model reads the prefix as \(read.text.debugDescription) (\(generator.pipeline.summary))")
            }
            if !read.unknownTokens.isEmpty {
                note("warning: not in the vocabulary, read as <unk>: "
                     + read.unknownTokens.map(\.debugDescription).joined(separator: ", ") + " (generation.strict makes this an error)")
            }
            var job = Job(request: self, generator: generator, prefix: read, output: output, note: note)
            try sampling.withSampler(&job)
        } catch let error as ModelError {
            throw ModelFileError.model(path: model, error)
        }
    }

    /// The generation itself, once the sampler is known.
    private struct Job: SamplerUser {
        let request: GenerationRequest
        let generator: Generator
        let prefix: Generator.Prefix
        let output: any TextOutput
        let note: (String) -> Void

        mutating func use<S: LogitSampler>(_ sampler: inout S) throws {
            let seed = request.seed ?? {
                let s = UInt64.random(in: 0...UInt64(UInt32.max))
                if request.sampling.drawsRandomly { note("seed \(s) (pass generation.seed \(s) to repeat)") }
                return s
            }()
            var random = RandomGenerator(seed: seed)
            let (length, samples, allowUnknown) = (request.length, request.samples, request.allowUnknown)
            try timed(batch: samples) {
                if samples == 1 {
                    try streamed { try generator.continue(prefix, length: length, sampler: &sampler, using: &random,
                                                          allowUnknown: allowUnknown, onPiece: $0) }
                } else {
                    let continuations = try generator.generate(prefix: prefix.ids, length: length, samples: samples,
                                                               sampler: &sampler, using: &random, allowUnknown: allowUnknown)
                    lines(continuations.map { $0[...] })
                }
            }
        }

        /// Beam search: the best hypothesis streamed as a sample is, or the N best one per line.
        mutating func useBeam(_ search: BeamSearch) throws {
            let (length, samples, allowUnknown) = (request.length, request.samples, request.allowUnknown)
            _ = try generator.endToken(for: search)   // before the prefix is written
            try timed(batch: search.beams) {
                if samples == 1 {
                    try streamed { try generator.continue(prefix, length: length, search: search, allowUnknown: allowUnknown, onPiece: $0) }
                } else {
                    let hypotheses = try generator.beamSearch(prefix: prefix.ids, length: length, search: search, allowUnknown: allowUnknown)
                    lines(hypotheses.prefix(samples).map(\.textTokens))
                }
            }
        }

        /// The prefix, then the pieces `generate` hands its argument, then a line end.
        private func streamed(_ generate: (_ onPiece: (String) -> Void) throws -> Void) throws {
            output.write(prefix.text)
            try generate { output.write($0) }
            output.write("\n")
            output.flush()
        }

        /// One line per continuation: the prefix, then its text.
        private func lines(_ continuations: [ArraySlice<Int32>]) {
            for ids in continuations {
                output.write(prefix.text + generator.detokenizer.text(of: ids, after: prefix.ids.last) + "\n")
            }
            output.flush()
        }

        /// Runs `body` (`batch` rows of `request.length` steps), flushing the output even on an
        /// error and noting the speed with `request.stats`.
        private func timed(batch: Int, _ body: () throws -> Void) throws {
            defer { output.flush() }   // what was generated before an error, too
            let clock = ContinuousClock()
            let started = clock.now
            try body()
            let seconds = Double((clock.now - started) / .nanoseconds(1)) * 1e-9
            if request.stats {
                let tokens = request.length * batch
                note(String(format: "generated %d tokens in %.3f s (%.0f tokens/s; batch %d, %@)", tokens, seconds,
                            Double(tokens) / max(seconds, 1e-9), batch, request.sampling.resolvedStrategy.rawValue))
            }
        }
    }
}
