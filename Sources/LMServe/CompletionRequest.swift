import Foundation
import LMGeneration

/// A `POST /v1/completions` body: OpenAI's completions fields, plus LMKit's own where that API
/// has none (`top_k`, `alpha`, `strategy`, `continue_line`). Unknown fields are ignored, as OpenAI-compatible
/// servers do; a known field of the wrong type is a 400 naming it.
///
/// Sampling follows OpenAI's conventions unless `strategy` (or `beams`) is given: `temperature`
/// 0 is greedy; otherwise a draw at `temperature` (default 1), cut by `top_p` (< 1) and/or
/// `top_k` when given. `beams` K asks beam search (with `length_penalty`, `stop_at_eos`). With
/// `strategy` the options mean exactly what `lm-generate`'s flags of the same names
/// mean, so a request and the command line agree token for token.
struct CompletionRequest: Decodable {
    var model: String?
    var prompt: String
    var maxTokens: Int?
    var temperature: Double?
    var topP: Double?
    var topK: Int?
    var alpha: Double?
    var strategy: String?
    var seed: UInt64?
    var stop: [String]
    var n: Int?
    var logprobs: Int?
    var stream: Bool?
    var echo: Bool?
    var beams: Int?
    var lengthPenalty: Double?
    var stopAtEOS: Bool?
    /// Continue the prompt's last line (no end-of-sentence token after it), as
    /// `lm-generate --continue-line`.
    var continueLine: Bool?

    enum CodingKeys: String, CodingKey {
        case model, prompt, temperature, alpha, strategy, seed, stop, n, logprobs, stream, echo
        case beams
        case maxTokens = "max_tokens", topP = "top_p", topK = "top_k", lengthPenalty = "length_penalty", stopAtEOS = "stop_at_eos"
        case continueLine = "continue_line"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(String.self, forKey: .model)
        if let text = try? c.decode(String.self, forKey: .prompt) {
            prompt = text
        } else if let list = try? c.decode([String].self, forKey: .prompt) {
            guard list.count == 1 else {
                throw APIError.invalid("prompt", "holds \(list.count) prompts; give one (a string, or a list of one string)")
            }
            prompt = list[0]
        } else if c.contains(.prompt), !((try? c.decodeNil(forKey: .prompt)) ?? false) {
            throw APIError.invalid("prompt", "must be a string (lists of token ids are not supported)")
        } else {
            throw APIError.invalid("prompt", "is required")
        }
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
        temperature = try c.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try c.decodeIfPresent(Double.self, forKey: .topP)
        topK = try c.decodeIfPresent(Int.self, forKey: .topK)
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha)
        strategy = try c.decodeIfPresent(String.self, forKey: .strategy)
        if let value = try? c.decodeIfPresent(UInt64.self, forKey: .seed) {
            seed = value
        } else if c.contains(.seed), !((try? c.decodeNil(forKey: .seed)) ?? false) {
            throw APIError.invalid("seed", "must be an integer in 0...\(UInt64.max)")
        } else {
            seed = nil
        }
        if let one = try? c.decode(String.self, forKey: .stop) {
            stop = [one]
        } else {
            stop = try c.decodeIfPresent([String].self, forKey: .stop) ?? []
        }
        n = try c.decodeIfPresent(Int.self, forKey: .n)
        // OpenAI's legacy completions take an integer; a boolean true means 1 alternative.
        if let flag = try? c.decode(Bool.self, forKey: .logprobs) {
            logprobs = flag ? 1 : nil
        } else {
            logprobs = try c.decodeIfPresent(Int.self, forKey: .logprobs)
        }
        stream = try c.decodeIfPresent(Bool.self, forKey: .stream)
        echo = try c.decodeIfPresent(Bool.self, forKey: .echo)
        beams = try c.decodeIfPresent(Int.self, forKey: .beams)
        lengthPenalty = try c.decodeIfPresent(Double.self, forKey: .lengthPenalty)
        stopAtEOS = try c.decodeIfPresent(Bool.self, forKey: .stopAtEOS)
        continueLine = try c.decodeIfPresent(Bool.self, forKey: .continueLine)
    }

    /// Reads a body, turning every decoding failure into a 400 naming the field.
    static func decode(_ body: Data) throws -> CompletionRequest {
        try decodeBody(CompletionRequest.self, body)
    }

    /// The sampling options the request asks for (see the type's comment), validated, with
    /// errors naming the request's fields.
    func sampling() throws -> SamplingOptions {
        var options: SamplingOptions
        if let strategy {
            guard let chosen = SamplingOptions.Strategy(rawValue: strategy) else {
                throw APIError.invalid("strategy", "\(strategy.debugDescription) is not a strategy; use one of "
                    + SamplingOptions.Strategy.allCases.map(\.rawValue).joined(separator: ", "))
            }
            options = SamplingOptions(strategy: chosen, temperature: temperature, alpha: alpha, topK: topK, topP: topP,
                                      beams: beams, lengthPenalty: lengthPenalty, stopAtEOS: stopAtEOS ?? false)
        } else if beams != nil {
            options = SamplingOptions(strategy: .beam, temperature: temperature, alpha: alpha, topK: topK, topP: topP,
                                      beams: beams, lengthPenalty: lengthPenalty, stopAtEOS: stopAtEOS ?? false)
        } else if temperature == 0 {
            if let topK { throw APIError.invalid("top_k", "has no effect with temperature 0 (greedy); got \(topK)") }
            options = SamplingOptions(strategy: .greedy)
        } else {
            let cut = topP.flatMap { $0 == 1 ? nil : $0 }
            let strategy: SamplingOptions.Strategy = cut != nil ? .topP : topK != nil ? .topK : alpha != nil ? .alpha : .temperature
            let scale = strategy == .alpha ? nil : (temperature ?? 1)
            options = SamplingOptions(strategy: strategy, temperature: strategy == .temperature ? scale : (scale == 1 ? nil : scale),
                                      alpha: alpha, topK: topK, topP: cut)
        }
        do {
            try options.validate()
        } catch let error as GenerationError {
            throw APIError(.badRequest, Self.fieldNames(in: error.description), param: Self.field(in: error.description),
                           code: "invalid_value")
        }
        return options
    }

    /// The request fields of the sampling key paths, in the order messages are searched.
    static let fields: [(keyPath: String, field: String)] = [
        ("sampling.strategy", "strategy"), ("sampling.temperature", "temperature"), ("sampling.alpha", "alpha"),
        ("sampling.topK", "top_k"), ("sampling.topP", "top_p"), ("sampling.beams", "beams"),
        ("sampling.lengthPenalty", "length_penalty"), ("sampling.stopAtEOS", "stop_at_eos"),
    ]

    /// `message` with the library's key paths replaced by the request's field names.
    static func fieldNames(in message: String) -> String {
        fields.reduce(message) { $0.replacingOccurrences(of: $1.keyPath, with: $1.field) }
    }

    /// The first field a library message names.
    static func field(in message: String) -> String? {
        fields.map { ($0.field, message.range(of: $0.keyPath)?.lowerBound) }
            .compactMap { name, at in at.map { (name, $0) } }
            .min { $0.1 < $1.1 }?.0
    }
}

/// Decodes a JSON body of type `T`, turning every failure into a 400 naming the field.
func decodeBody<T: Decodable>(_ type: T.Type, _ body: Data) throws -> T {
    do {
        return try JSONDecoder().decode(T.self, from: body)
    } catch let error as APIError {
        throw error
    } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
        throw APIError(.badRequest, "the body must be a JSON object", code: "invalid_json")
    } catch let DecodingError.typeMismatch(expected, context) {
        throw APIError.invalid(fieldPath(context.codingPath), "must be \(describe(expected))")
    } catch let DecodingError.valueNotFound(expected, context) {
        throw APIError.invalid(fieldPath(context.codingPath), "must be \(describe(expected)), not null")
    } catch let DecodingError.keyNotFound(key, _) {
        throw APIError.invalid(key.stringValue, "is required")
    } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
        throw APIError.invalid(fieldPath(context.codingPath), "is out of range or malformed")
    } catch {
        throw APIError(.badRequest, "the body is not a JSON object: \(body.isEmpty ? "it is empty" : "malformed JSON")",
                       code: "invalid_json")
    }
}

private func fieldPath(_ path: [any CodingKey]) -> String {
    path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
}

private func describe(_ type: Any.Type) -> String {
    switch type {
    case is String.Type: "a string"
    case is Bool.Type: "true or false"
    case is Int.Type, is UInt64.Type: "an integer"
    case is Double.Type: "a number"
    case is [String].Type: "a list of strings"
    default: "of another type"
    }
}
