extension CorpusRegistry {
    /// The corpora every LMKit build knows without a registry file, stored in `corpora/` under
    /// the current directory: the entries of the repository's `corpora/registry.json` (a test
    /// keeps the two equal).
    public static let builtIn = CorpusRegistry(entries: [
        "timemachine": Entry(url: "http://d2l-data.s3-accelerate.amazonaws.com/timemachine.txt",
                             sha1: "090b5e7e70c295757f55df93cb0a180b9691891a", file: "timemachine.txt",
                             samplePrefix: "time traveller"),
        "ptb": Entry(url: "http://d2l-data.s3-accelerate.amazonaws.com/ptb.zip",
                     sha1: "319d85e578af0cdc590547f26231e4e31cdf1e42", file: "ptb.zip",
                     splits: Splits(train: "ptb/ptb.train.txt", valid: "ptb/ptb.valid.txt", test: "ptb/ptb.test.txt"),
                     pipeline: PipelineChoice(level: .word, preset: .raw, endOfLine: true)),
        "tinyshakespeare": Entry(url: "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
                                 sha1: "04486597058d11dcc2c556b1d0433891eb639d2e", file: "tinyshakespeare.txt",
                                 pipeline: PipelineChoice(level: .char, preset: .raw), samplePrefix: "ROMEO:",
                                 validationFraction: 0.1),
    ], directory: "corpora")
}
