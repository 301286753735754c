import LMData

extension Generator {
    /// Continues `prefix` by `length` tokens of one sample, calling `onPiece` with each new
    /// token's text as it is drawn (word models put a space before every word but the first
    /// of the text). `lm-generate`, the Swift API and any server stream through this: nothing
    /// already handed to `onPiece` is kept, so any `length` runs in the same memory.
    public func `continue`<S: LogitSampler, G: RandomNumberGenerator>(
        _ prefix: Prefix, length: Int, sampler: inout S, using random: inout G, allowUnknown: Bool = false,
        onPiece: (String) throws -> Void
    ) throws {
        var previous = prefix.ids.last
        try stream(prefix: prefix.ids, length: length, sampler: &sampler, using: &random,
                   allowUnknown: allowUnknown) { _, tokens in
            try onPiece(detokenizer.piece(tokens[0], after: previous))
            previous = tokens[0]
        }
    }

    /// ``continue(_:length:sampler:using:allowUnknown:onPiece:)`` with the strategy
    /// `sampling` resolves to and the project's ``RandomGenerator`` seeded with `seed`: the
    /// same seed gives `lm-generate --seed`'s text. Beam search (which draws nothing) goes
    /// through ``continue(_:length:search:allowUnknown:onPiece:)``: the pieces of its best
    /// hypothesis come at the end, fewer than `length` when it finished at `<eos>`.
    public func `continue`(_ prefix: Prefix, length: Int, sampling: SamplingOptions, seed: UInt64,
                           allowUnknown: Bool = false, onPiece: (String) throws -> Void) throws {
        try withoutActuallyEscaping(onPiece) { onPiece in
            var job = Continuation(generator: self, prefix: prefix, length: length, seed: seed,
                                   allowUnknown: allowUnknown, onPiece: onPiece)
            try sampling.withSampler(&job)
        }
    }

    /// One sample's continuation, once the sampler is known.
    private struct Continuation: SamplerUser {
        let generator: Generator
        let prefix: Prefix
        let length: Int
        let seed: UInt64
        let allowUnknown: Bool
        let onPiece: (String) throws -> Void

        mutating func use<S: LogitSampler>(_ sampler: inout S) throws {
            var random = RandomGenerator(seed: seed)
            try generator.continue(prefix, length: length, sampler: &sampler, using: &random, allowUnknown: allowUnknown,
                                   onPiece: onPiece)
        }

        mutating func useBeam(_ search: BeamSearch) throws {
            try generator.continue(prefix, length: length, search: search, allowUnknown: allowUnknown, onPiece: onPiece)
        }
    }
}
