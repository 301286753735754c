import ArgumentParser
import LMGeneration
import LMDistributed
import LMModelFiles
import LMModels
import LMTensor
import LMText
import LMToolSupport
import LMToyTasks
import LMTraining

/// `lm-train`: train a recurrent language model on a corpus.
@main
struct LMTrain: LMTool {
    static let configuration = CommandConfiguration(
        commandName: "lm-train",
        abstract: "Train a recurrent language model (RNN, GRU or LSTM) on a text corpus.",
        discussion: """
        Defaults reproduce d2l 9.5 on the time machine: d2l preset, characters, the first 10,000 \
        tokens, an RNN with 512 hidden units and one-hot input, batch 32 × 35 steps, SGD with lr 1, \
        clipping at norm 1, sequential partitioning with the state carried, 500 epochs. \
        The run goes to runs/<corpus>-<model> (runs/latest points at the newest); Ctrl-C \
        writes a checkpoint that --resume continues exactly.
        """)

    @Argument(help: "Corpus file or registered name (e.g. timemachine, corpora/timemachine.txt, or ptb: its train, valid and test texts, words with <eos>).")
    var corpus: String?

    @Option(help: "Start from a named recipe (recipes/NAME.txt: zaremba-small, pwl-tied, char-rnn, ...); options given here override it.")
    var recipe: String?

    @Option(help: "Train on a toy task of the reference tutorials instead of a corpus: counting, adding or binary-add.")
    var task: ToyTask?
    // Toy-task sizes (LMToyTasks' ToyTaskSession).
    @Option(parsing: .unconditional, help: "--task adding: sequence length T (default 6); binary-add: steps = operand bits + 1 (default 7).") var length: Int?
    @Option(parsing: .unconditional, help: "--task adding or binary-add: training sequences (default 10000 and 2000); the test set is 1000 fresh ones.") var samples: Int?

    @Option(help: "Cell: rnn, gru or lstm.") var model: ModelConfig.Kind = .rnn
    @Option(parsing: .unconditional, help: "Hidden units per layer (default: 512 for rnn, 256 for gru and lstm, as d2l).") var hidden: Int?
    @Option(parsing: .unconditional, help: "Stacked recurrent layers.") var layers = 1
    @Option(parsing: .unconditional, help: "Embedding width; omit for one-hot input.") var embedding: Int?
    @Option(help: "RNN nonlinearity: tanh or relu.") var activation: ModelConfig.Activation = .tanh
    @Option(help: "Initialization: normal (d2l, ×0.01), xavier, uniform (±--init-scale), or pytorch (PyTorch's module defaults).") var `init`: TrainingRun.InitScheme = .normal
    @Option(parsing: .unconditional, help: "Scale for --init normal or uniform.") var initScale: Double?
    @Option(help: "Embedding initialization SCHEME[:SCALE], e.g. normal:1 (default: --init's).") var initEmbedding: String?
    @Option(help: "Output head initialization SCHEME[:SCALE], e.g. uniform:0.1 (default: --init's).") var initOutput: String?
    @Option(parsing: .unconditional, help: "LSTM forget-gate bias after initialization (char-rnn: 1).") var forgetBias: Double?
    @Option(help: "GRU variant: d2l (reset gate before the recurrent product) or pytorch (after it, as nn.GRU; not implied by --init pytorch) (default d2l).") var gruVariant: ModelConfig.GRUVariant?
    @Flag(inversion: .prefixedNo, help: "Tie the output weights to the embedding (needs --embedding equal to --hidden; --no-tied undoes a recipe's --tied).") var tied = false
    @Flag(inversion: .prefixedNo, help: "Two biases per gate, as PyTorch (default: on with --init pytorch).") var recurrentBias: Bool?
    @Option(help: "Train with an adaptive softmax head (Grave et al. 2017, PyTorch's AdaptiveLogSoftmaxWithLoss): cutoffs C1,C2,… split the token ids into a head shortlist 0..<C1 and clusters C1..<C2, …, up to the vocabulary size. Ids are the vocabulary's order: LMKit builds vocabularies as <unk>, reserved tokens, then descending frequency; a --vocab file keeps its own order, which may not be by frequency. Evaluation and generation use the exact full distribution. Excludes --tied.") var adaptiveSoftmax: String?
    @Option(parsing: .unconditional, help: "--adaptive-softmax: each cluster's projection is D times narrower than the previous (H/D, H/D², …) (default 4).") var adaptiveDiv: Double?

    @Option(parsing: .unconditional, help: "Sequences per batch (default 32).") var batch: Int?
    @Option(parsing: .unconditional, help: "Time steps per window, the BPTT length (default 35).") var steps: Int?
    @Option(parsing: .unconditional, help: "Epochs (default 500).") var epochs: Int?
    @Option(parsing: .unconditional, help: "Learning rate (default: 1 for sgd, 0.001 for adam, 0.01 for rmsprop).") var lr: Double?
    @Option(help: "Optimizer: sgd, adam or rmsprop (default sgd).") var optimizer: TrainingOptions.OptimizerKind?
    @Option(parsing: .unconditional, help: "Momentum for rmsprop (0 = none).") var momentum = 0.0
    @Flag(help: "Nesterov momentum for rmsprop.") var nesterov = false
    @Option(parsing: .unconditional, help: "Clip gradients to this global L2 norm.") var clip = 1.0
    @Flag(help: "Do not clip gradients.") var noClip = false
    @Option(help: "Learning-rate decay FACTOR:EPOCHS, e.g. 0.5:100 halves it every 100 epochs.") var lrDecay: String?
    @Option(help: "Learning-rate schedule: step:FACTOR:EVERY, after:N:FACTOR (Zaremba: after:4:0.5), exponential:N:FACTOR (char-rnn: exponential:10:0.97) or plateau:FACTOR[:PATIENCE] (PyTorch: plateau:0.25).") var lrSchedule: String?
    @Option(parsing: .unconditional, help: "Weight decay on every parameter: L2 for sgd and rmsprop, decoupled (AdamW) for adam (default 0).") var weightDecay: Double?
    @Flag(help: "NT-ASGD (AWD-LSTM, sgd only): average the weights once validation stops improving; evaluation uses the average.") var asgd = false
    @Option(parsing: .unconditional, help: "--asgd: start averaging when validation is worse than the best of the epochs more than N epochs ago (default 5).") var asgdNonmono: Int?
    @Option(help: "Minibatches: sequential, random or parallel.") var sampler: TrainingOptions.SamplerKind = .sequential
    @Option(parsing: .unconditional, help: "RMSProp's squared-gradient averaging factor (default 0.9; char-rnn 0.95).") var rmspropDecay: Double?
    @Option(help: "Measure the test text with the last or the best-validation weights (default last).") var testModel: TrainingOptions.TestModel?
    @Option(parsing: .unconditional, help: "Rows the validation and test texts are cut into, each carrying its state across windows (default --batch; PyTorch's word_language_model 10, TensorFlow's PTB model 1).") var evalBatch: Int?

    @Option(help: "Token level: char or word (default char, or the registered corpus's: word for ptb; with --vocab, the vocabulary's).") var level: TextPipeline.Level?
    @Option(help: "Preprocessing preset: d2l, unicode or raw (default d2l, or the registered corpus's: raw for ptb; with --vocab, the vocabulary's).") var preset: Preprocessor.Preset?
    @Flag(inversion: .prefixedNo, help: "Append <eos> after every line (default off, or the registered corpus's: on for ptb; with --vocab, the vocabulary's).") var eos: Bool?

    // Dropout (training windows only; evaluation and generation never drop).
    @Option(parsing: .unconditional, help: "Dropout P with a fresh mask per element and step on the embedding output, between layers and on the top output (as PyTorch's word_language_model and char-rnn; with one-hot input the input place is skipped).") var dropout: Double?
    @Option(parsing: .unconditional, help: "Locked (variational) dropout P at the same places: one mask per sequence for a whole window (AWD-LSTM's LockedDropout). Excludes --dropout.") var dropoutLocked: Double?
    @Option(parsing: .unconditional, help: "Dropout P on the embedding output only (overrides --dropout/--dropout-locked there; needs --embedding).") var dropoutInput: Double?
    @Option(parsing: .unconditional, help: "Dropout P between layers only (overrides --dropout/--dropout-locked there).") var dropoutHidden: Double?
    @Option(parsing: .unconditional, help: "Dropout P on the top layer's output only (overrides --dropout/--dropout-locked there).") var dropoutOutput: Double?
    @Option(parsing: .unconditional, help: "Embedding dropout P: whole vocabulary rows dropped per window (AWD-LSTM; needs --embedding).") var dropoutEmbedding: Double?
    @Option(parsing: .unconditional, help: "Weight drop P: DropConnect on every layer's W_hh, one mask per window (AWD-LSTM's WeightDrop).") var weightDrop: Double?

    @Option(help: "Use this vocabulary file (and its preprocessing) instead of building one.") var vocab: String?
    @Option(parsing: .unconditional, help: "Keep only the first N tokens (d2l's max_tokens); 0 for all (default 10,000; all of a corpus with its own splits, such as ptb).") var maxTokens: Int?
    @Option(parsing: .unconditional, help: "Fraction of the stream's end held out for validation.") var valFraction = 0.0
    @Option(help: "Validation file (Penn Treebank style splits).") var valid: String?
    @Option(help: "Test file, evaluated at the end.") var test: String?

    @Option(parsing: .unconditional, help: "Random seed (weights and batches).") var seed: UInt64 = 0
    @Option(parsing: .unconditional, help: "BLAS threads (default: the library's measured choice).") var threads: Int?
    @Option(help: "Run directory (default: runs/<corpus>-<model>).") var out: String?
    @Option(parsing: .unconditional, help: "Checkpoint every N epochs.") var checkpointEvery = 10
    @Option(parsing: .unconditional, help: "Checkpoints kept, besides the best.") var keep = 3
    @Flag(help: "Continue the run in --out from its newest checkpoint.") var resume = false
    @Flag(help: "Replace a run already in --out.") var overwrite = false
    @Option(help: "Resume from: newest (the newest intact checkpoint) or best (best.safetensors); implies --resume.") var resumeFrom: ResumePoint?
    @Flag(help: "Train as one process of an Open MPI job (`mpirun -np N lm-train ...`, implied when mpirun starts lm-train): --batch streams are split across the processes and their gradients summed; rank 0 writes the run. Fails when Open MPI cannot be loaded.") var mpi = false

    func validate() throws {
        if let hidden, hidden < 1 { throw ValidationError("--hidden must be at least 1") }
        if layers < 1 { throw ValidationError("--layers must be at least 1") }
        if let embedding, embedding < 1 { throw ValidationError("--embedding must be at least 1 (omit it for one-hot input)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if resumeFrom != nil && (overwrite || task != nil) { throw ValidationError("--resume-from continues a corpus run; it excludes --overwrite and --task") }
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other") }
        if let lrDecay, TrainingOptions.Decay(parsing: lrDecay) == nil { throw ValidationError("--lr-decay takes FACTOR:EPOCHS, e.g. 0.5:100") }
        if let lrSchedule, LearningRateSchedule(parsing: lrSchedule) == nil {
            throw ValidationError("--lr-schedule cannot read \"\(lrSchedule)\"; give \(LearningRateSchedule.forms), e.g. after:4:0.5")
        }
        if lrSchedule != nil && task != nil { throw ValidationError("--lr-schedule applies to corpus runs, not --task") }
        if asgdNonmono != nil && !asgd { throw ValidationError("--asgd-nonmono needs --asgd") }
        if task != nil && (asgd || weightDecay != nil) { throw ValidationError("--asgd and --weight-decay apply to corpus runs, not --task") }
        if (corpus == nil) == (task == nil) { throw ValidationError("give a corpus (e.g. timemachine) or --task, not both") }
        for (flag, value) in [("--init-embedding", initEmbedding), ("--init-output", initOutput)] {
            if let value, TrainingRun.InitScheme.initialization(parsing: value) == nil {
                throw ValidationError("\(flag) takes SCHEME[:SCALE] with SCHEME normal, uniform, xavier or pytorch and a positive SCALE for normal or uniform (got \(value))")
            }
        }
        if let forgetBias, !forgetBias.isFinite { throw ValidationError("--forget-bias must be a finite number") }
        if task != nil && (tied || initEmbedding != nil || initOutput != nil || forgetBias != nil || recurrentBias != nil) {
            throw ValidationError("--tied, --init-embedding, --init-output, --forget-bias and --recurrent-bias apply to corpus runs, not --task")
        }
        if task != nil && gruVariant != nil { throw ValidationError("--gru-variant applies to corpus runs, not --task") }
        if let adaptiveSoftmax, Self.cutoffs(parsing: adaptiveSoftmax) == nil {
            throw ValidationError("--adaptive-softmax takes increasing positive cutoffs C1,C2,…, e.g. 2000,6000 (got \(adaptiveSoftmax))")
        }
        if adaptiveDiv != nil && adaptiveSoftmax == nil { throw ValidationError("--adaptive-div needs --adaptive-softmax") }
        if task != nil && adaptiveSoftmax != nil { throw ValidationError("--adaptive-softmax applies to corpus runs, not --task") }
        if dropout != nil && dropoutLocked != nil { throw ValidationError("--dropout and --dropout-locked exclude each other; give one") }
        for (flag, p) in [("--dropout", dropout), ("--dropout-locked", dropoutLocked), ("--dropout-input", dropoutInput),
                          ("--dropout-hidden", dropoutHidden), ("--dropout-output", dropoutOutput),
                          ("--dropout-embedding", dropoutEmbedding), ("--weight-drop", weightDrop)] {
            if let p, !(p >= 0 && p < 1) { throw ValidationError("\(flag) \(p): a dropout probability must be in [0, 1)") }
        }
        if embedding == nil {
            if let p = dropoutInput, p > 0 { throw ValidationError("--dropout-input needs --embedding (one-hot input has no embedding output to drop)") }
            if let p = dropoutEmbedding, p > 0 { throw ValidationError("--dropout-embedding needs --embedding (one-hot input has no embedding rows to drop)") }
        }
        if task != nil && !dropoutSettings.isOff { throw ValidationError("dropout applies to corpus runs, not --task") }
    }

    /// The dropout the flags ask for: --dropout or --dropout-locked at every place (the
    /// input place only with an embedding), the per-place flags overriding it.
    var dropoutSettings: Dropout {
        let all = dropoutLocked ?? dropout ?? 0
        var d = Dropout(input: embedding == nil ? 0 : all, hidden: all, output: all, locked: dropoutLocked != nil,
                        embedding: dropoutEmbedding ?? 0, weightDrop: weightDrop ?? 0)
        if let p = dropoutInput { d.input = p }
        if let p = dropoutHidden { d.hidden = p }
        if let p = dropoutOutput { d.output = p }
        return d
    }

    func run() throws {
        // One process of an Open MPI job when mpirun started us (or --mpi asks); else none is loaded.
        let communicator = mpi || MPICommunicator.launchedByMPI ? try MPICommunicator() : nil
        let parallel = communicator.flatMap { $0.size > 1 ? DataParallel($0) : nil }
        if parallel != nil && task != nil { throw ValidationError("--task trains in one process; start it without mpirun") }
        if let threads { BLAS.setThreads(threads) }
        if let parallel, !parallel.isWriter {
            _ = try TrainingReplica.run(over: parallel)
            try communicator?.finish()
            return
        }
        if let task {
            // A plain --init normal keeps the task's own initialization.
            let initialization = `init` == .normal && initScale == nil ? nil : `init`.initialization(scale: initScale)
            let toy = ToyTaskOptions(
                task: task, model: model, activation: activation, hidden: hidden, layers: layers, embedding: embedding,
                initialization: initialization, batch: batch, steps: steps, epochs: epochs, optimizer: optimizer, lr: lr,
                momentum: momentum, nesterov: nesterov, clip: noClip ? nil : clip, length: length, samples: samples,
                seed: seed, threads: threads, output: out, checkpointEvery: checkpointEvery, keep: keep,
                overwrite: overwrite, resume: resume)
            do { try toy.validate() } catch { throw ValidationError("\(error)") }   // a usage error, as for other flags
            try ToyTaskSession.run(toy, say: ProgressDisplay(epochs: 1).say)
            return
        }
        var request = TrainingRun.Request(
            corpus: corpus!, model: model, hidden: hidden, layers: layers, embedding: embedding, activation: activation,
            initialization: `init`, initScale: initScale, batch: batch, steps: steps, epochs: epochs, lr: lr,
            optimizer: optimizer, momentum: momentum, nesterov: nesterov, clip: noClip ? nil : clip,
            decay: lrDecay.flatMap(TrainingOptions.Decay.init(parsing:)), sampler: sampler, level: level, preset: preset,
            endOfLine: eos, vocabularyFile: vocab, maxTokens: maxTokens, validationFraction: valFraction, validFile: valid,
            testFile: test, seed: seed, output: out, checkpointEvery: checkpointEvery, keep: keep,
            resume: resume || resumeFrom != nil, overwrite: overwrite)
        request.resumePoint = resumeFrom ?? .newest
        request.training.schedule = lrSchedule.flatMap(LearningRateSchedule.init(parsing:))
        if let weightDecay, weightDecay != 0 { request.training.weightDecay = weightDecay }
        if asgd { request.training.asgdNonmonotone = asgdNonmono ?? 5 }
        request.model.tied = tied
        request.model.recurrentBias = recurrentBias ?? (`init` == .pytorch)
        request.model.embeddingInitialization = initEmbedding.flatMap(TrainingRun.InitScheme.initialization(parsing:))
        request.model.outputInitialization = initOutput.flatMap(TrainingRun.InitScheme.initialization(parsing:))
        request.model.forgetBias = forgetBias
        request.model.gruVariant = gruVariant ?? .d2l
        request.model.adaptiveSoftmax = adaptiveSoftmax.flatMap(Self.cutoffs(parsing:)).map {
            ModelConfig.AdaptiveSoftmax(cutoffs: $0, divValue: adaptiveDiv ?? 4)
        }
        request.training.rmspropDecay = rmspropDecay
        request.training.testModel = testModel
        request.training.evalBatch = evalBatch
        request.model.dropout = dropoutSettings
        if let vocab { try PipelineChoice(level: level, preset: preset, endOfLine: eos).check(vocabularyAt: vocab) }
        let run = try TextError.remedyingInvalidUTF8(Self.invalidUTF8Remedy) { try TrainingRun(request, parallel: parallel) }
        // d2l's predict("time traveller", 50): the same greedy decoding lm-generate uses.
        let predict = GreedyPrediction(generator: try Generator(model: run.trainer.model, vocabularyFile: run.vocabularyFile),
                                       prefix: "time traveller", length: 50)
        let outcome = try TrainingSession(run, sample: predict?.text).start(reporting: ProgressDisplay(epochs: request.training.epochs))
        try communicator?.finish()
        if case let .interrupted(signal, _) = outcome { throw ExitCode(Interrupts.exitStatus(signal)) }
    }
}

extension LMTrain {
    /// `--adaptive-softmax`'s C1,C2,…: positive integers (the model checks their order against V).
    static func cutoffs(parsing text: String) -> [Int]? {
        let values = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        return values.map { $0! }
    }

    /// What to do about invalid UTF-8 in a corpus: lm-train has no --replace-invalid of its own.
    static let invalidUTF8Remedy = "fix the file, or build a vocabulary with `lm-vocab build CORPUS --replace-invalid` "
        + "(it substitutes U+FFFD) and pass it with --vocab"
}

extension ProgressDisplay: TrainingObserver {}
extension TrainingRun.InitScheme: ExpressibleByArgument {}
extension ToyTask: ExpressibleByArgument {}
extension ResumePoint: ExpressibleByArgument {}

extension LMTrain {
    /// `--recipe NAME`'s options go first, so the command line's own override them.
    static func expandArguments(_ arguments: [String]) throws -> [String] { try Recipe.expand(arguments) }
}
