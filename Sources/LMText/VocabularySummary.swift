import Foundation

/// A vocabulary file in a few lines, as `lm-vocab build` and `lm-vocab show` print it: the
/// source, the pipeline, token and type counts, the coverage and the ten most frequent tokens.
public struct VocabularySummary: Sendable {
    /// The summary, lines joined by "\n" (no final line end).
    public let text: String

    /// The summary of `file`.
    /// - Throws: the file's errors when its vocabulary does not build (``VocabularyFile/vocabulary()``).
    public init(file: VocabularyFile) throws {
        let vocabulary = try file.vocabulary()
        var lines = [
            "source:   \(file.source.file) (\(file.source.bytes) bytes)",
            "pipeline: \(file.pipeline.summary)",
            "tokens:   \(file.source.tokens)",
            "types:    \(vocabulary.count) (including <unk>\(file.settings.reserved.isEmpty ? "" : " and \(file.settings.reserved.count) reserved"))",
            String(format: "coverage: %.4f%% of tokens have an id of their own", vocabulary.coverage * 100),
            "most frequent:",
        ]
        let ranked = (1..<vocabulary.count).sorted { vocabulary.frequencies[$0] > vocabulary.frequencies[$1] || (vocabulary.frequencies[$0] == vocabulary.frequencies[$1] && $0 < $1) }
        for id in ranked.prefix(10) {
            let shown = vocabulary.token(at: id).debugDescription
            let padding = String(repeating: " ", count: max(1, 12 - shown.count))
            lines.append(String(format: "  %5d  ", id) + shown + padding + String(vocabulary.frequencies[id]))
        }
        text = lines.joined(separator: "\n")
    }

    /// `lm-vocab show`: loads the vocabulary file at `path` and writes its summary and a line end.
    public static func show(vocabularyAt path: String, writingTo output: any TextOutput) throws {
        defer { output.flush() }
        output.write(try VocabularySummary(file: try VocabularyFile.load(from: path)).text + "\n")
    }
}
