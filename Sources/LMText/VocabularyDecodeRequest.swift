/// One `lm-vocab decode` run: ids → text, one output line per input line.
///
/// Ids are separated by spaces, tabs or commas. Character vocabularies concatenate tokens,
/// word vocabularies join them with spaces; `<eos>` becomes a line end (``Detokenizer``).
public struct VocabularyDecodeRequest: Sendable {
    /// The vocabulary file.
    public var vocabulary: String

    public init(vocabulary: String) {
        self.vocabulary = vocabulary
    }

    /// Decodes the lines `nextLine` gives (default: standard input's, as `readLine()`) into `output`.
    /// - Throws: the vocabulary file's errors; ``TextError/invalidSetting(_:)`` naming the
    ///   line of a field that is not an id of the vocabulary (what came before it is written).
    public func run(readingLinesFrom nextLine: () -> String? = { readLine() }, writingTo output: any TextOutput) throws {
        defer { output.flush() }
        let file = try VocabularyFile.load(from: vocabulary)
        let tokens = try file.vocabulary()
        let detokenizer = Detokenizer(vocabulary: tokens, pipeline: file.pipeline)
        var lineNumber = 0
        while let line = nextLine() {
            lineNumber += 1
            var ids: [Int32] = []
            for field in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }) {
                guard let id = Int32(field), id >= 0, id < tokens.count else {
                    throw TextError.invalidSetting("<stdin> line \(lineNumber): \(field.debugDescription) is not an id of \(vocabulary) (0..<\(tokens.count))")
                }
                ids.append(id)
            }
            output.write(detokenizer.text(of: ids) + "\n")
        }
    }
}
