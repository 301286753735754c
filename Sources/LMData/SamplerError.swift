/// Errors configuring or restoring a sampler.
public enum SamplerError: Error, Equatable, CustomStringConvertible {
    /// The batch size or number of steps is not positive.
    case invalidShape(batchSize: Int, steps: Int)
    /// A fixed offset is outside the range the partitioning allows.
    case invalidOffset(offset: Int, allowed: ClosedRange<Int>)
    /// The stream cannot fill one batch. `required` is the minimum token count for this
    /// configuration, `maxBatchSize` the largest batch that fits with these steps and
    /// `maxSteps` the most steps that fit with this batch size (0 when none does).
    case corpusTooShort(sampler: String, tokens: Int, batchSize: Int, steps: Int,
                        required: Int, maxBatchSize: Int, maxSteps: Int)
    /// A saved state does not belong to this sampler's configuration.
    case stateMismatch(String)

    /// An actionable, human-readable explanation of the error.
    public var description: String {
        switch self {
        case .invalidShape(let b, let s):
            return "batch size (\(b)) and steps (\(s)) must both be at least 1"
        case .invalidOffset(let o, let allowed):
            return "offset \(o) is outside \(allowed.lowerBound)...\(allowed.upperBound)"
        case .corpusTooShort(let sampler, let tokens, let b, let s, let required, let maxB, let maxS):
            var message = "a corpus of \(tokens) tokens is too short for \(sampler) batches of \(b) × \(s) steps: "
                + "at least \(required) tokens are needed"
            var fits: [String] = []
            if maxB > 0 { fits.append("batch size \(maxB) with \(s) steps") }
            if maxS > 0 { fits.append("\(maxS) steps with batch size \(b)") }
            if !fits.isEmpty {
                message += "; what fits: " + fits.joined(separator: ", or ")
            } else if tokens < 2 {
                message += "; even batch 1 × 1 does not fit (it needs an input and a target token) — use a longer corpus"
            } else {
                message += "; no batch size fits with \(s) steps and no number of steps with batch size \(b) — "
                    + "lower both data.batch and data.steps, or use a longer corpus"
            }
            return message
        case .stateMismatch(let detail):
            return "saved sampler state does not match this sampler: \(detail); "
                + "resume with the same corpus, split, batch size and steps"
        }
    }
}

extension SamplerError {
    /// Builds ``corpusTooShort`` by searching the largest batch size and steps for which
    /// `batches(tokens, batchSize, steps) >= 1`.
    static func tooShort(_ sampler: String, tokens: Int, batchSize: Int, steps: Int, required: Int,
                         batches: (Int, Int) -> Int) -> SamplerError {
        var maxB = 0
        // batches() is non-increasing in batch size and steps, so a linear scan up from 1 stops early.
        while maxB < batchSize, batches(maxB + 1, steps) >= 1 { maxB += 1 }
        var maxS = 0
        while maxS < steps, batches(batchSize, maxS + 1) >= 1 { maxS += 1 }
        return .corpusTooShort(sampler: sampler, tokens: tokens, batchSize: batchSize, steps: steps,
                               required: required, maxBatchSize: maxB, maxSteps: maxS)
    }

    /// Throws ``stateMismatch(_:)`` unless a state saved for `saved` (stream length, batch size,
    /// steps) belongs to a sampler of shape `current`: the check every sampler's `restore` starts with.
    static func checkShape(saved: (tokens: Int, batchSize: Int, steps: Int),
                           current: (tokens: Int, batchSize: Int, steps: Int)) throws {
        guard saved == current else {
            throw SamplerError.stateMismatch(
                "saved for \(saved.tokens) tokens, batch \(saved.batchSize) × \(saved.steps) steps; "
                    + "this sampler has \(current.tokens) tokens, batch \(current.batchSize) × \(current.steps) steps")
        }
    }

    /// Throws ``stateMismatch(_:)`` unless the epoch rebuilt from a saved generator starts at the
    /// saved offset (the epoch-based samplers' restore).
    static func checkRedrawnOffset(_ redrawn: Int, saved: Int) throws {
        guard redrawn == saved else {
            throw SamplerError.stateMismatch("the saved generator redraws offset \(redrawn), not the saved \(saved)")
        }
    }

    /// Throws ``stateMismatch(_:)`` unless a saved epoch is non-negative and its batch index lies
    /// in `0...batchesPerEpoch` of the rebuilt epoch (the epoch-based samplers' restore).
    static func checkPosition(epoch: Int, batchIndex: Int, batchesPerEpoch: Int) throws {
        guard epoch >= 0, (0...batchesPerEpoch).contains(batchIndex) else {
            throw SamplerError.stateMismatch("epoch \(epoch), batch \(batchIndex) is outside "
                + "0...\(batchesPerEpoch) batches")
        }
    }
}
