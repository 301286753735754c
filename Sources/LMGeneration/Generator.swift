import LMModels
import LMTensor
import LMText

/// Generates text from a trained ``RecurrentLM`` after a prefix, as d2l's `predict`:
///
/// 1. the prefix goes through the model's own ``TextPipeline`` (preprocessing and tokenizer)
///    and vocabulary (``encode(prefix:strict:)``); tokens outside the vocabulary become `<unk>`;
/// 2. **warm-up**: the state starts at zero, `prefix[0]` is fed, then the state is advanced
///    over `prefix[1...]` one token at a time, outputs ignored;
/// 3. **generation**: the logits after the last prefix token give the first new token; each
///    new token is fed back as the next input, for all samples at once.
///
/// Every step is the model's own single step (``RecurrentNetwork/step(_:state:schedule:)``,
/// held by ``GenerationState``: vector × matrix products that read the weights in place, much
/// faster than `forward(inputs:steps: 1, batch:)` at batch 1, equal to it to float rounding);
/// the model's own carried state is left untouched. An adaptive
/// softmax model runs through `model.forward` instead, whose logits are its exact log-probabilities.
///
/// `<unk>` is masked (its logit set to -infinity before the sampler sees the row) unless
/// `allowUnknown` is set, for every strategy, greedy included: greedy is then the argmax over
/// every token but `<unk>`, the lowest id on ties.
///
/// No allocation per token: the input rows, the state, the logits, the masked logit row and
/// the samplers' buffers are allocated once per call and reused.
public final class Generator {
    /// The model (read only, unless it runs through `model.forward`).
    public let model: RecurrentLM<Float>
    public let vocabulary: Vocabulary
    /// The preprocessing and tokenizer the vocabulary was built with.
    public let pipeline: TextPipeline
    /// Ids back to text.
    public let detokenizer: Detokenizer
    /// The per-token forward (nil for the reference path: then `model.forward` runs).
    private(set) var fastStep: GenerationState?
    /// Whether generation runs through the model's single step (true) or `model.forward`.
    public var usesStepKernel: Bool { fastStep != nil }

    /// A prefix as the model reads it.
    public struct Prefix: Sendable, Equatable {
        /// The text as given.
        public let original: String
        /// Its tokens after the model's preprocessing and tokenizer.
        public let tokens: [String]
        /// Their ids (`<unk>`'s for tokens outside the vocabulary).
        public let ids: [Int32]
        /// The distinct tokens outside the vocabulary, in order of appearance.
        public let unknownTokens: [String]
        /// The tokens joined back into text: the prefix after preprocessing (unknown tokens
        /// kept as they are; the model reads them as `<unk>`).
        public let text: String

        /// Whether preprocessing or tokenization changed the text (case, punctuation, spaces).
        public var changed: Bool { text != original }
    }

    /// A generator for `model`, whose tokens are `vocabulary`, cut by `pipeline`.
    ///
    /// - Throws: ``GenerationError/vocabularyMismatch(_:)`` when the sizes differ.
    public init(model: RecurrentLM<Float>, vocabulary: Vocabulary, pipeline: TextPipeline) throws {
        guard vocabulary.count == model.config.vocabularySize else {
            throw GenerationError.vocabularyMismatch(
                "the vocabulary has \(vocabulary.count) tokens but the model was built for \(model.config.vocabularySize)")
        }
        self.model = model
        self.vocabulary = vocabulary
        self.pipeline = pipeline
        detokenizer = Detokenizer(vocabulary: vocabulary, pipeline: pipeline)
        fastStep = GenerationState(model: model)
    }

    /// A generator that runs every step through `model.forward(inputs:steps: 1, batch:)`
    /// (the reference path; tests compare the two).
    convenience init(referencePathFor model: RecurrentLM<Float>, vocabulary: Vocabulary, pipeline: TextPipeline) throws {
        try self.init(model: model, vocabulary: vocabulary, pipeline: pipeline)
        fastStep = nil
    }

    /// A generator from a vocabulary file (its tokens and its pipeline).
    public convenience init(model: RecurrentLM<Float>, vocabularyFile: VocabularyFile) throws {
        try self.init(model: model, vocabulary: try vocabularyFile.vocabulary(), pipeline: vocabularyFile.pipeline)
    }

    /// Reads `text` as the model reads its corpus.
    ///
    /// - Parameters:
    ///   - strict: throw instead of mapping unknown tokens to `<unk>`.
    ///   - continuingLine: read `text` as the start of a line, not a whole one: no `<eos>` after
    ///     its last line (for a model whose pipeline puts one after every line), so that what is
    ///     generated continues the same sentence.
    /// - Throws: ``GenerationError/emptyPrefix(original:pipeline:)`` when no token is left,
    ///   ``GenerationError/unknownTokens(_:)`` (strict only), or a `TextError` (invalid text).
    public func encode(prefix text: String, strict: Bool = false, continuingLine: Bool = false) throws -> Prefix {
        let tokens = try pipeline.tokens(of: text, source: "the prefix", endingLastLine: !continuingLine)
        guard !tokens.isEmpty else { throw GenerationError.emptyPrefix(original: text, pipeline: pipeline.summary) }
        var ids: [Int32] = []
        ids.reserveCapacity(tokens.count)
        var unknown: [String] = []
        for token in tokens {
            let id = vocabulary.id(of: token)
            if id == vocabulary.unknownID && token != Vocabulary.unknownToken && !unknown.contains(token) {
                unknown.append(token)
            }
            ids.append(Int32(id))
        }
        if strict && !unknown.isEmpty { throw GenerationError.unknownTokens(unknown) }
        return Prefix(original: text, tokens: tokens, ids: ids, unknownTokens: unknown,
                      text: detokenizer.join(tokens))
    }

    /// Generates `length` tokens after `prefix` for `samples` sequences at once (one batched
    /// pass; the samples differ only through the sampler's draws) and returns them.
    ///
    /// The ids are kept for the result (`samples × length` of them): the memory they take is
    /// checked first. To generate without keeping them, use ``stream(prefix:length:samples:sampler:using:allowUnknown:onStep:)``.
    ///
    /// - Parameters: as ``stream(prefix:length:samples:sampler:using:allowUnknown:onStep:)``.
    /// - Returns: the generated ids of each sample (without the prefix).
    /// - Throws: ``GenerationError/invalidSetting(_:)`` naming `generation.samples` or
    ///   `generation.length` when the rows or the ids kept do not fit in memory.
    @discardableResult
    public func generate<S: LogitSampler, G: RandomNumberGenerator>(
        prefix: [Int32], length: Int, samples: Int = 1, sampler: inout S, using generator: inout G,
        allowUnknown: Bool = false,
        onStep: (_ step: Int, _ tokens: UnsafeBufferPointer<Int32>) throws -> Void = { _, _ in }
    ) throws -> [[Int32]] {
        try requireMemory(samples: samples, length: length, keepingIds: true)
        var result = [[Int32]](repeating: [], count: max(samples, 0))
        try stream(prefix: prefix, length: length, samples: samples, sampler: &sampler, using: &generator,
                   allowUnknown: allowUnknown) { index, tokens in
            for b in tokens.indices { result[b].append(tokens[b]) }
            try onStep(index, tokens)
        }
        return result
    }

    /// Generates `length` tokens after `prefix` for `samples` sequences at once (one batched
    /// pass; the samples differ only through the sampler's draws), handing each step's tokens
    /// to `onStep` and keeping none: memory is bounded by the batch (its state, logits and
    /// inputs), whatever `length` is.
    ///
    /// - Parameters:
    ///   - prefix: token ids, at least one (see ``encode(prefix:strict:)``).
    ///   - length: new tokens per sample (d2l's `num_preds`), ≥ 0.
    ///   - samples: sequences generated together (the batch), ≥ 1.
    ///   - sampler: the decoding strategy, called once per sample per step, samples in order.
    ///   - generator: the randomness (e.g. LMData's seeded `RandomGenerator`).
    ///   - allowUnknown: let `<unk>` be emitted.
    ///   - onStep: called after every step with the step index and the new token of every
    ///     sample (valid during the call only).
    /// - Throws: ``GenerationError/invalidSetting(_:)`` naming `generation.samples` when the
    ///   batch does not fit in memory, and the errors of the prefix, the model and `onStep`.
    public func stream<S: LogitSampler, G: RandomNumberGenerator>(
        prefix: [Int32], length: Int, samples: Int = 1, sampler: inout S, using generator: inout G,
        allowUnknown: Bool = false,
        onStep: (_ step: Int, _ tokens: UnsafeBufferPointer<Int32>) throws -> Void
    ) throws {
        let v = vocabulary.count
        let first = try checkInputs(prefix: prefix, length: length, allowUnknown: allowUnknown)
        try require(samples >= 1, "the number of samples must be ≥ 1 (got \(samples))")
        try requireMemory(samples: samples, length: length, keepingIds: false)
        let batch = samples
        var inputs = [Int32](repeating: first, count: batch)
        var choice = TokenChoice(vocabularySize: v, unknownID: vocabulary.unknownID, allowUnknown: allowUnknown)

        if let step = fastStep {
            // The per-token path (the model's step): its own state, zero at the start.
            step.reset(batch: batch)
            for t in 1..<max(prefix.count, 1) {
                inputs.withUnsafeBufferPointer { step.step($0.baseAddress!) }
                for b in 0..<batch { inputs[b] = prefix[t] }
            }
            for index in 0..<length {
                inputs.withUnsafeBufferPointer { step.step($0.baseAddress!) }
                try pick(UnsafeBufferPointer(start: step.logits, count: batch * v), step: index)
            }
        } else {
            // Through model.forward, one step at a time. Two input rows used in turn: the
            // model keeps a reference to the last one it read, so writing into the other never copies.
            var spare = inputs
            model.resetState()
            for t in 1..<max(prefix.count, 1) {
                try model.forward(inputs: inputs, steps: 1, batch: batch)
                swap(&inputs, &spare)
                for b in 0..<batch { inputs[b] = prefix[t] }
            }
            for index in 0..<length {
                try model.forward(inputs: inputs, steps: 1, batch: batch)
                swap(&inputs, &spare)
                try model.logits.storage.withUnsafeBufferPointer { try pick($0, step: index) }
            }
        }

        /// Masks, samples one token per row into `inputs` and reports them.
        func pick(_ logits: UnsafeBufferPointer<Float>, step index: Int) throws {
            for b in 0..<batch {
                guard let token = choice.choose(logits.baseAddress! + b * v, sampler: &sampler, using: &generator) else {
                    throw GenerationError.nonFiniteLogits(step: index)
                }
                inputs[b] = token
            }
            try inputs.withUnsafeBufferPointer { try onStep(index, $0) }
        }
    }

    /// Throws ``GenerationError/invalidSetting(_:)`` unless `samples` rows (the model's state,
    /// logits and inputs for each, as ``MemoryEstimate`` counts a window of one step) and, when
    /// kept, `samples × length` ids fit in the memory available; every size overflow-checked.
    func requireMemory(samples: Int, length: Int, keepingIds: Bool, available: Int = SystemMemory.available()) throws {
        guard samples >= 1, length >= 0 else { return }   // refused with their own messages
        let rows = try MemoryEstimate(config: model.config, steps: 1, batch: samples).total
        let ids = keepingIds ? MemoryEstimate.product(samples, length, MemoryLayout<Int32>.size) : 0
        let needed = MemoryEstimate.sum(rows, ids)
        guard needed > available else { return }
        let what = ids > rows
            ? "generation.samples \(samples) × generation.length \(length) tokens, kept to print each sample's line,"
            : "generation.samples \(samples) rows of the model's state and logits"
        let size = needed == MemoryEstimate.unbounded ? MemoryEstimate.format(needed) : "about " + MemoryEstimate.format(needed)
        throw GenerationError.invalidSetting("\(what) need \(size) of memory but only \(MemoryEstimate.format(available)) is available; lower "
            + (ids > rows ? "generation.samples or generation.length (one sample streams any length)" : "generation.samples"))
    }

    /// Checks what every generation needs: a prefix of ids in the vocabulary, a length ≥ 0,
    /// and a token that may be emitted. Returns the prefix's first id.
    func checkInputs(prefix: [Int32], length: Int, allowUnknown: Bool) throws -> Int32 {
        let v = vocabulary.count
        guard let first = prefix.first else {
            throw GenerationError.emptyPrefix(original: "", pipeline: pipeline.summary)
        }
        try require(length >= 0, "the length must be ≥ 0 (got \(length))")
        for id in prefix where id < 0 || Int(id) >= v {
            throw GenerationError.invalidSetting("prefix token id \(id) is outside the vocabulary 0..<\(v)")
        }
        guard allowUnknown || v > 1 else {
            throw GenerationError.vocabularyMismatch("the vocabulary holds only <unk>; nothing can be generated unless <unk> is allowed")
        }
        return first
    }
}
