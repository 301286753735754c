/// Turns generated ids back into text the way the model's tokens were cut: a character
/// model's tokens are grapheme clusters and are concatenated; a word model's tokens are
/// joined with single spaces, and its `<eos>` (when the pipeline appends one per line) is a
/// line break with no space around it.
///
/// The text of every id is prepared once, so streaming a token costs no allocation.
public struct Detokenizer: Sendable {
    /// Token granularity of the model.
    public let level: TextPipeline.Level
    private let plain: [String]
    private let spaced: [String]
    private let endOfLineID: Int?

    public init(vocabulary: Vocabulary, pipeline: TextPipeline) {
        level = pipeline.level
        let eos = pipeline.level == .word && vocabulary.contains(TextPipeline.endOfLineToken)
            ? vocabulary.id(of: TextPipeline.endOfLineToken) : nil
        endOfLineID = eos
        plain = vocabulary.tokens.enumerated().map { $0.offset == eos ? "\n" : $0.element }
        spaced = level == .word ? plain.enumerated().map { $0.offset == eos ? "\n" : " " + $0.element } : plain
    }

    /// The text of `id` when it follows `previous` (nil at the start of the text).
    @inline(__always)
    public func piece(_ id: Int32, after previous: Int32?) -> String {
        guard level == .word, let previous, Int(previous) != endOfLineID else { return plain[Int(id)] }
        return spaced[Int(id)]
    }

    /// The text of a whole token sequence.
    public func text<S: Sequence>(of ids: S, after previous: Int32? = nil) -> String where S.Element == Int32 {
        var result = ""
        var last = previous
        for id in ids {
            result += piece(id, after: last)
            last = id
        }
        return result
    }

    /// Token strings joined as the model's level joins them (for a prefix's text).
    public func join(_ tokens: [String]) -> String {
        guard level == .word else { return tokens.joined() }
        var result = ""
        var previous: String? = nil
        for token in tokens {
            if token == TextPipeline.endOfLineToken {
                result += "\n"
            } else {
                if let previous, previous != TextPipeline.endOfLineToken { result += " " }
                result += token
            }
            previous = token
        }
        return result
    }
}
