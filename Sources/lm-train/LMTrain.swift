import ArgumentParser
import Foundation
import LMGeneration
import LMModels
import LMTensor
import LMText
import LMToyTasks
import LMTraining

/// `lm-train`: train a recurrent language model on a corpus.
@main
struct LMTrain: ParsableCommand {
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

    @Argument(help: "Corpus file or registered name (e.g. timemachine or corpora/timemachine.txt).")
    var corpus: String?

    @Option(help: "Train on a toy task of the reference tutorials instead of a corpus: counting, adding or binary-add.")
    var task: ToyTask?
    // Toy-task sizes (LMToyTasks' ToyTaskSession).
    @Option(help: "--task adding: sequence length T (default 6); binary-add: steps = operand bits + 1 (default 7).") var length: Int?
    @Option(help: "--task adding or binary-add: training sequences (default 10000 and 2000); the test set is 1000 fresh ones.") var samples: Int?

    @Option(help: "Cell: rnn, gru or lstm.") var model: ModelConfig.Kind = .rnn
    @Option(help: "Hidden units per layer (default: 512 for rnn, 256 for gru and lstm, as d2l).") var hidden: Int?
    @Option(help: "Stacked recurrent layers.") var layers = 1
    @Option(help: "Embedding width; omit for one-hot input.") var embedding: Int?
    @Option(help: "RNN nonlinearity: tanh or relu.") var activation: ModelConfig.Activation = .tanh
    @Option(help: "Initialization: normal (d2l, ×0.01), xavier, or uniform (±--init-scale).") var `init`: InitScheme = .normal
    @Option(help: "Scale for --init normal or uniform.") var initScale: Double?

    @Option(help: "Sequences per batch (default 32).") var batch: Int?
    @Option(help: "Time steps per window, the BPTT length (default 35).") var steps: Int?
    @Option(help: "Epochs (default 500).") var epochs: Int?
    @Option(help: "Learning rate (default: 1 for sgd, 0.001 for adam, 0.01 for rmsprop).") var lr: Double?
    @Option(help: "Optimizer: sgd, adam or rmsprop (default sgd).") var optimizer: TrainingOptions.OptimizerKind?
    @Option(help: "Momentum for rmsprop (0 = none).") var momentum = 0.0
    @Flag(help: "Nesterov momentum for rmsprop.") var nesterov = false
    @Option(help: "Clip gradients to this global L2 norm.") var clip = 1.0
    @Flag(help: "Do not clip gradients.") var noClip = false
    @Option(help: "Learning-rate decay FACTOR:EPOCHS, e.g. 0.5:100 halves it every 100 epochs.") var lrDecay: String?
    @Option(help: "Minibatches: sequential, random or parallel.") var sampler: TrainingOptions.SamplerKind = .sequential

    @Option(help: "Token level: char or word.") var level: TextPipeline.Level = .char
    @Option(help: "Preprocessing preset: d2l, unicode or raw.") var preset: Preprocessor.Preset = .d2l
    @Flag(help: "Append <eos> after every line.") var eos = false
    @Option(help: "Use this vocabulary file (and its preprocessing) instead of building one.") var vocab: String?
    @Option(help: "Keep only the first N tokens (d2l's max_tokens); 0 for all.") var maxTokens = 10_000
    @Option(help: "Fraction of the stream's end held out for validation.") var valFraction = 0.0
    @Option(help: "Validation file (Penn Treebank style splits).") var valid: String?
    @Option(help: "Test file, evaluated at the end.") var test: String?

    @Option(help: "Random seed (weights and batches).") var seed: UInt64 = 0
    @Option(help: "BLAS threads (default: the library's measured choice).") var threads: Int?
    @Option(help: "Run directory (default: runs/<corpus>-<model>).") var out: String?
    @Option(help: "Checkpoint every N epochs.") var checkpointEvery = 10
    @Option(help: "Checkpoints kept, besides the best.") var keep = 3
    @Flag(help: "Continue the run in --out from its newest checkpoint.") var resume = false
    @Flag(help: "Replace a run already in --out.") var overwrite = false

    enum InitScheme: String, ExpressibleByArgument, CaseIterable { case normal, xavier, uniform }

    func validate() throws {
        if let hidden, hidden < 1 { throw ValidationError("--hidden must be at least 1") }
        if layers < 1 { throw ValidationError("--layers must be at least 1") }
        if let embedding, embedding < 1 { throw ValidationError("--embedding must be at least 1 (omit it for one-hot input)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if resume && overwrite { throw ValidationError("--resume and --overwrite exclude each other") }
        if let lrDecay, Self.decay(lrDecay) == nil { throw ValidationError("--lr-decay takes FACTOR:EPOCHS, e.g. 0.5:100") }
        if (corpus == nil) == (task == nil) { throw ValidationError("give a corpus (e.g. timemachine) or --task, not both") }
    }

    static func decay(_ text: String) -> TrainingOptions.Decay? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let factor = Double(parts[0]), let every = Int(parts[1]) else { return nil }
        return .init(factor: factor, every: every)
    }

    /// The default learning rate of each optimizer.
    static func defaultLearningRate(_ optimizer: TrainingOptions.OptimizerKind) -> Double {
        switch optimizer { case .sgd: 1; case .adam: 0.001; case .rmsprop: 0.01 }
    }

    func run() throws {
        if let task {
            let initialization: ModelConfig.Initialization? = switch `init` {   // plain --init normal keeps the task's
            case .normal: initScale.map { .normal(scale: $0) }
            case .xavier: .xavierUniform
            case .uniform: .uniform(bound: initScale ?? 0.1)
            }
            let toy = ToyTaskOptions(
                task: task, model: model, activation: activation, hidden: hidden, layers: layers, embedding: embedding,
                initialization: initialization, batch: batch, steps: steps, epochs: epochs, optimizer: optimizer, lr: lr,
                momentum: momentum, nesterov: nesterov, clip: noClip ? nil : clip, length: length, samples: samples,
                seed: seed, threads: threads, output: out, checkpointEvery: checkpointEvery, keep: keep,
                overwrite: overwrite, resume: resume)
            do { try toy.validate() } catch { throw ValidationError("\(error)") }   // a usage error, as for other flags
            try ToolFailure.reporting(tool: "lm-train") { try ToyTaskSession.run(toy, say: ProgressDisplay(epochs: 1).say) }
            return
        }
        var options = TrainingOptions(corpus: corpus!)
        options.batch = batch ?? 32
        options.steps = steps ?? 35
        options.epochs = epochs ?? 500
        options.optimizer = optimizer ?? .sgd
        options.lr = lr ?? Self.defaultLearningRate(options.optimizer)
        options.momentum = momentum
        options.nesterov = nesterov
        options.clip = noClip ? nil : clip
        options.decay = lrDecay.flatMap(Self.decay)
        options.sampler = sampler
        options.maxTokens = maxTokens > 0 ? maxTokens : nil
        options.validationFraction = valFraction
        options.validFile = valid
        options.testFile = test
        options.seed = seed
        options.checkpointEvery = checkpointEvery
        options.keep = keep
        let initialization: ModelConfig.Initialization = switch `init` {
        case .normal: .normal(scale: initScale ?? 0.01)
        case .xavier: .xavierUniform
        case .uniform: .uniform(bound: initScale ?? 0.1)
        }
        let modelConfig = ModelConfig(kind: model, activation: activation, vocabularySize: 1, embeddingSize: embedding,
                                      hiddenSize: hidden ?? (model == .rnn ? 512 : 256), layers: layers,
                                      initialization: initialization)
        let pipeline = TextPipeline(preprocessor: Preprocessor(preset: preset), level: level, endOfLine: eos)
        if let threads { BLAS.setThreads(threads) }
        try ToolFailure.reporting(tool: "lm-train") {
            let run = try TrainingRun(.init(model: modelConfig, training: options, pipeline: pipeline, vocabularyFile: vocab,
                                            output: out, resume: resume, overwrite: overwrite))
            try Session(run: run).start()
        }
    }
}

/// Drives one prepared run and prints what happens.
struct Session {
    let run: TrainingRun

    func start() throws {
        let trainer = run.trainer
        let config = trainer.config
        let model = config.model
        var display = ProgressDisplay(epochs: config.training.epochs)
        display.say("corpus \(config.training.corpus): \(run.trainTokens) training tokens"
              + (run.validationTokens > 0 ? ", \(run.validationTokens) validation" : "")
              + ", vocabulary \(run.vocabulary.count) (\(run.vocabularyFile.pipeline.summary))")
        display.say("model \(model.kind.rawValue.uppercased())-\(model.hiddenSize) ×\(model.layers), "
              + (model.embeddingSize.map { "embedding \($0)" } ?? "one-hot input")
              + ", \(trainer.model.parameterCount) parameters; run directory \(run.directory.path)")
        if let from = run.resumedFrom { display.say("resuming from \(from) (epoch \(trainer.completedEpochs) done)") }
        trainer.onProgress = { display.update($0) }
        trainer.onEpoch = { display.epochEnded($0, sample: $1) }
        // d2l's predict("time traveller", 50): the same greedy decoding lm-generate uses.
        let generator = try Generator(model: trainer.model, vocabularyFile: run.vocabularyFile)
        if let prefix = try? generator.encode(prefix: "time traveller") {
            trainer.sample = { _ in
                var greedy = Greedy()
                var unused = SystemRandomNumberGenerator()   // greedy draws nothing
                let ids = try generator.generate(prefix: prefix.ids, length: 50, sampler: &greedy, using: &unused)[0]
                return prefix.text + generator.detokenizer.text(of: ids, after: prefix.ids.last)
            }
        }
        Interrupts.install()
        let outcome = try trainer.train()
        display.finish()
        switch outcome {
        case let .interrupted(signal, checkpoint):
            display.say("\(Interrupts.name(signal)): stopped after the current step; checkpoint \(checkpoint)")
            display.say("continue with the same command and --resume")
            throw ExitCode(signal == SIGINT ? 130 : 143)
        case let .finished(report):
            guard let report else { return }
            var summary = String(format: "done: %d epochs, train perplexity %.3f", report.epoch, report.trainPerplexity)
            if let validation = report.validationPerplexity { summary += String(format: ", validation %.3f", validation) }
            summary += ", \(ProgressDisplay.rate(report.tokensPerSecond)) tokens/s, \(ProgressDisplay.duration(report.elapsed))"
            display.say(summary)
            if let test = run.test {
                let result = try Evaluator.evaluate(trainer.model, on: test, batch: config.training.batch, steps: config.training.steps)
                display.say(String(format: "test perplexity %.3f over %d tokens", result.perplexity, result.tokens))
            }
            display.say("wrote \(run.directory.path) (config.json, vocab.json, model.safetensors, log.jsonl, curve.svg, checkpoints/)")
        }
    }
}

extension ToyTask: ExpressibleByArgument {}
extension ModelConfig.Kind: ExpressibleByArgument {}
extension ModelConfig.Activation: ExpressibleByArgument {}
extension TrainingOptions.OptimizerKind: ExpressibleByArgument {}
extension TrainingOptions.SamplerKind: ExpressibleByArgument {}
extension TextPipeline.Level: ExpressibleByArgument {}
extension Preprocessor.Preset: ExpressibleByArgument {}
