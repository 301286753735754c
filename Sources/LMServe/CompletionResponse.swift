import Foundation

/// A completion as OpenAI's API returns it (`object: "text_completion"`), whole or as one
/// server-sent event of a stream.
struct CompletionResponse: Encodable {
    let id: String
    let object = "text_completion"
    let created: Int
    let model: String
    let choices: [Choice]
    /// Omitted from stream events.
    let usage: Usage?

    struct Choice: Encodable {
        let index: Int
        let text: String
        let logprobs: LogProbabilities?
        /// `length` (max_tokens reached), `stop` (a stop sequence) or null while streaming.
        let finishReason: String?

        enum CodingKeys: String, CodingKey { case index, text, logprobs, finishReason = "finish_reason" }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(index, forKey: .index)
            try c.encode(text, forKey: .text)
            try c.encode(logprobs, forKey: .logprobs)        // null when not asked, as OpenAI
            try c.encode(finishReason, forKey: .finishReason)  // null until the last event
        }
    }

    /// OpenAI's legacy `logprobs` object: per token its text, ln p, the most likely
    /// alternatives and its offset in the choice's text.
    struct LogProbabilities: Encodable {
        var tokens: [String] = []
        var tokenLogprobs: [Double] = []
        var topLogprobs: [[String: Double]] = []
        var textOffset: [Int] = []

        /// Adds the entries of `other` (one token's) at the end.
        mutating func append(_ other: LogProbabilities) {
            tokens += other.tokens
            tokenLogprobs += other.tokenLogprobs
            topLogprobs += other.topLogprobs
            textOffset += other.textOffset
        }

        enum CodingKeys: String, CodingKey {
            case tokens, tokenLogprobs = "token_logprobs", topLogprobs = "top_logprobs", textOffset = "text_offset"
        }
    }

    struct Usage: Encodable {
        let promptTokens: Int
        let completionTokens: Int
        var totalTokens: Int { promptTokens + completionTokens }

        enum CodingKeys: String, CodingKey {
            case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(promptTokens, forKey: .promptTokens)
            try c.encode(completionTokens, forKey: .completionTokens)
            try c.encode(totalTokens, forKey: .totalTokens)
        }
    }

    enum CodingKeys: String, CodingKey { case id, object, created, model, choices, usage }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(created, forKey: .created)
        try c.encode(model, forKey: .model)
        try c.encode(choices, forKey: .choices)
        try c.encodeIfPresent(usage, forKey: .usage)
    }
}

extension CompletionResponse {
    /// The response as one server-sent event, `data: {…}\n\n`. A stream's token events (one
    /// choice, no log-probabilities, no usage: almost every event) are written directly, with
    /// the same bytes the JSON encoder writes (sorted keys; tested), since encoding each token
    /// through `JSONEncoder` would cost more than the model's step; the rest go through it.
    var serverSentEventText: String {
        guard usage == nil, choices.count == 1, let choice = choices.first, choice.logprobs == nil else {
            return "data: " + String(decoding: (try? JSON.encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n\n"
        }
        return #"data: {"choices":[{"finish_reason":"# + (choice.finishReason.map(Self.quoted) ?? "null")
            + #","index":\#(choice.index),"logprobs":null,"text":"# + Self.quoted(choice.text)
            + #"}],"created":\#(created),"id":\#(Self.quoted(id)),"model":\#(Self.quoted(model)),"object":"text_completion"}"# + "\n\n"
    }

    /// `text` as a JSON string literal, escaped as `JSONEncoder` escapes it.
    static func quoted(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
