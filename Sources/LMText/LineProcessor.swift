/// The per-line work of a pipeline, with its reusable buffers: validate, preprocess, tokenize.
struct LineProcessor {
    let pipeline: TextPipeline
    // Concrete tokenizers (not `any Tokenizer`), so the per-token calls specialize for the sink.
    let characters = CharacterTokenizer()
    let words: WordTokenizer
    var output: [UInt8] = []
    /// The preprocessor's state within the current line (a long line comes in pieces).
    var lineState = Preprocessor.LineState()

    init(pipeline: TextPipeline) {
        self.pipeline = pipeline
        self.words = WordTokenizer(splitting: pipeline.wordSplitting)
        output.reserveCapacity(1 << 16)
    }

    mutating func tokenize<Sink: TokenSink>(_ line: UnsafeBufferPointer<UInt8>, endsLine: Bool, path: String, offset: Int,
                                             into sink: inout Sink) throws {
        defer { if endsLine { lineState = Preprocessor.LineState() } }
        let isASCII: Bool
        if let bad = UTF8Validation.firstInvalidOffset(in: line) {
            guard pipeline.replaceInvalidUTF8 else {
                throw TextError.invalidUTF8(path: path, offset: offset + bad)
            }
            let repaired = UTF8Validation.repaired(line)
            isASCII = repaired.withUnsafeBufferPointer { pipeline.preprocessor.process($0, continuing: &lineState, into: &output) }
        } else {
            isASCII = pipeline.preprocessor.process(line, continuing: &lineState, into: &output)
        }
        output.withUnsafeBufferPointer {
            switch pipeline.level {
            case .char: characters.tokenize($0, isASCII: isASCII, into: &sink)
            case .word: words.tokenize($0, isASCII: isASCII, into: &sink)
            }
        }
        if pipeline.endOfLine && endsLine && (line.last == 0x0A || lineState.emitted) {
            sink.consume(TextPipeline.endOfLineToken)
        }
    }
}
