import LMModels
import LMTensor
import LMText

extension Generator {
    /// The id of `<eos>` (``TextPipeline/endOfLineToken``) when the vocabulary holds it, the
    /// token ``BeamSearch/stopAtEndOfSequence`` finishes a hypothesis at.
    public var endOfSequenceID: Int32? {
        vocabulary.contains(TextPipeline.endOfLineToken) ? Int32(vocabulary.id(of: TextPipeline.endOfLineToken)) : nil
    }

    /// Beam search after `prefix` (see ``BeamSearch``): the K rows run through the model's
    /// own step (``GenerationState``), or through `model.forward` for a model that cannot step
    /// (an adaptive softmax head; that path allocates per step, as ``generate(prefix:length:samples:sampler:using:allowUnknown:onStep:)``'s does).
    ///
    /// - Parameters:
    ///   - prefix: token ids, at least one (see ``encode(prefix:strict:)``).
    ///   - length: new tokens at most (fewer for hypotheses finished at `<eos>`), ≥ 0.
    ///   - search: the width, length penalty and whether `<eos>` finishes a hypothesis.
    ///   - allowUnknown: let `<unk>` be emitted.
    /// - Returns: the kept hypotheses, best first: K of them, or fewer when fewer continuations
    ///   exist (one, empty, for length 0).
    /// - Throws: ``GenerationError/invalidSetting(_:)`` for a setting out of range or
    ///   `stopAtEndOfSequence` without `<eos>` in the vocabulary, ``GenerationError/nonFiniteLogits(step:)``.
    public func beamSearch(prefix: [Int32], length: Int, search: BeamSearch, allowUnknown: Bool = false) throws -> [BeamHypothesis] {
        _ = try checkInputs(prefix: prefix, length: length, allowUnknown: allowUnknown)
        try search.validate()
        let end = try endToken(for: search)
        let v = vocabulary.count
        if let fastStep {
            var rows = StepRows(state: fastStep, vocabularySize: v)
            return try search.run(&rows, prefix: prefix, length: length, vocabularySize: v, allowUnknown: allowUnknown,
                                  unknownID: vocabulary.unknownID, endToken: end)
        }
        var rows = ForwardRows(model: model)
        return try search.run(&rows, prefix: prefix, length: length, vocabularySize: v, allowUnknown: allowUnknown,
                              unknownID: vocabulary.unknownID, endToken: end)
    }

    /// The token that finishes a hypothesis of `search`: `<eos>` with ``BeamSearch/stopAtEndOfSequence``, else nil.
    /// - Throws: ``GenerationError/invalidSetting(_:)`` when it is asked for and the vocabulary has no `<eos>`.
    func endToken(for search: BeamSearch) throws -> Int32? {
        guard search.stopAtEndOfSequence else { return nil }
        guard let id = endOfSequenceID else {
            throw GenerationError.invalidSetting(
                "sampling.stopAtEOS needs \(TextPipeline.endOfLineToken) in the model's vocabulary (a word-level one built with data.pipeline.endOfLine); this one has none")
        }
        return id
    }

    /// Continues `prefix` by beam search, then calls `onPiece` with each token's text of the
    /// best hypothesis (``BeamHypothesis/textTokens``), as ``continue(_:length:sampler:using:allowUnknown:onPiece:)``
    /// does for a sampler: beam search knows its best sequence only at the end, so the pieces
    /// come together once it is found. Returns that hypothesis.
    @discardableResult
    public func `continue`(_ prefix: Prefix, length: Int, search: BeamSearch, allowUnknown: Bool = false,
                           onPiece: (String) throws -> Void) throws -> BeamHypothesis {
        let hypotheses = try beamSearch(prefix: prefix.ids, length: length, search: search, allowUnknown: allowUnknown)
        let best = hypotheses[0]
        var previous = prefix.ids.last
        for id in best.textTokens {
            try onPiece(detokenizer.piece(id, after: previous))
            previous = id
        }
        return best
    }
}

/// Beam rows on the model's own step.
private struct StepRows: BeamStepper {
    let state: GenerationState
    let vocabularySize: Int

    func reset(batch: Int) { state.reset(batch: batch) }

    func step(_ ids: UnsafeBufferPointer<Int32>, reading body: (UnsafeBufferPointer<Float>) throws -> Void) throws {
        state.step(ids.baseAddress!)
        try body(UnsafeBufferPointer(start: state.logits, count: state.batch * vocabularySize))
    }

    func gatherRows(_ sources: UnsafeBufferPointer<Int32>) { state.gatherRows(sources) }
}

/// Beam rows through `model.forward(inputs:steps: 1, batch:)` and the model's carried state
/// (models that cannot step; and the tests' reference).
private struct ForwardRows: BeamStepper {
    let model: RecurrentLM<Float>
    private var batch = 0

    init(model: RecurrentLM<Float>) { self.model = model }

    mutating func reset(batch: Int) {
        self.batch = batch
        model.resetState()
    }

    func step(_ ids: UnsafeBufferPointer<Int32>, reading body: (UnsafeBufferPointer<Float>) throws -> Void) throws {
        try model.forward(inputs: Array(ids), steps: 1, batch: batch)
        try model.logits.storage.withUnsafeBufferPointer(body)
    }

    func gatherRows(_ sources: UnsafeBufferPointer<Int32>) throws {
        try model.setState(model.state.map { m in
            var rows: [Float] = []
            rows.reserveCapacity(m.storage.count)
            for s in sources { rows += m.storage[Int(s) * m.cols ..< (Int(s) + 1) * m.cols] }
            return try Matrix(rows: m.rows, cols: m.cols, storage: rows)
        })
    }
}
