import ArgumentParser
import LMSettings
import LMText

/// `lm-train`'s data flags: the ``TrainingSettings/data`` part.
public struct DataOptions: ParsableArguments {
    public init() {}

    @Argument(help: "Corpus file or registered name (e.g. timemachine, corpora/timemachine.txt, or ptb: its train, valid and test texts, words with <eos>).")
    var corpus: String

    @Option(help: "Token level: char or word (default char, or the registered corpus's: word for ptb; with --vocab, the vocabulary's).") var level: TextPipeline.Level?
    @Option(help: "Preprocessing preset: d2l, unicode or raw (default d2l, or the registered corpus's: raw for ptb; with --vocab, the vocabulary's).") var preset: Preprocessor.Preset?
    @Flag(inversion: .prefixedNo, help: "Append <eos> after every line (default off, or the registered corpus's: on for ptb; with --vocab, the vocabulary's).") var eos: Bool?
    @Option(help: "Use this vocabulary file (and its preprocessing) instead of building one.") var vocab: String?
    @Option(parsing: .unconditional, help: "Keep only the first N tokens (d2l's max_tokens); 0 for all (default 10,000; all of a corpus with its own splits, such as ptb).") var maxTokens: Int?
    @Option(parsing: .unconditional, help: "Fraction of the stream's end held out for validation.") var valFraction = 0.0
    @Option(help: "Validation file (Penn Treebank style splits).") var valid: String?
    @Option(help: "Test file, evaluated at the end.") var test: String?
    @OptionGroup var window: WindowOptions
    @Option(help: "Minibatches: sequential, random or parallel.") var sampler: DataSettings.Sampler = .sequential
    @Option(help: "AWD-LSTM's variable-length BPTT (--sampler parallel): each window's mean is --steps, or half of it with probability HALF; its length max(5, N(mean, SPREAD²)), at most --steps + 20; that step's learning rate × length / --steps. Give HALF,SPREAD (AWD-LSTM: 0.05,5).") var variableSteps: String?
    @Option(parsing: .unconditional, help: "Rows the validation and test texts are cut into, each carrying its state across windows (default --batch; PyTorch's word_language_model 10, TensorFlow's PTB model 1).") var evalBatch: Int?

    public func validate() throws {
        if let variableSteps, DataSettings.VariableSteps(parsing: variableSteps) == nil {
            throw ValidationError("--variable-steps cannot read \"\(variableSteps)\"; give \(DataSettings.VariableSteps.form)")
        }
    }

    /// The data settings the flags give (nil where the corpus decides).
    public var data: DataSettings {
        var data = DataSettings(corpus: corpus)
        data.vocabulary = vocab
        data.pipeline = PipelineChoice(level: level, preset: preset, endOfLine: eos)
        data.maxTokens = maxTokens
        data.validationFraction = valFraction
        data.validFile = valid
        data.testFile = test
        if let batch = window.batch { data.batch = batch }
        if let steps = window.steps { data.steps = steps }
        data.sampler = sampler
        data.variableSteps = variableSteps.flatMap(DataSettings.VariableSteps.init(parsing:))
        data.evalBatch = evalBatch
        return data
    }
}
