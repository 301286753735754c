import ArgumentParser
import LMGeneration
import LMModelFiles
import LMToolSupport

/// `lm-generate`: continue a prefix with a trained model.
@main
struct LMGenerate: LMTool {
    static let configuration = CommandConfiguration(
        commandName: "lm-generate",
        abstract: "Continue a prefix with a model trained by lm-train.",
        discussion: """
        The prefix goes through the model's own preprocessing and tokenizer (the d2l preset \
        lowercases and drops everything but letters; stderr says so when the prefix changed). \
        As d2l's predict, the state is advanced over the prefix, then generation starts from its \
        last token. Output: the prefix as the model read it, then the continuation, streamed \
        token by token; with --samples N > 1 the N continuations are drawn in one batched pass \
        and printed one per line when it ends. Word models join tokens with spaces, character \
        models concatenate them.

        Strategies: greedy (argmax, the default), temperature (softmax(z/T)), alpha (q ∝ p^α, \
        the same as temperature 1/α), top-k, top-p (nucleus), beam (beam search with --beams K). \
        The strategy follows from the options when --strategy is omitted. Combinations scale \
        first, then cut: --temperature (or --alpha) with --top-k and/or --top-p. <unk> is \
        never emitted unless --allow-unk.

        Beam search keeps the K most likely continuations and prints the best when it ends \
        (with --samples N ≤ K, the N best, one per line); it ranks them by log-probability / \
        length^A (--length-penalty A, default 0), which matters only when --stop-at-eos lets \
        a word model's hypothesis end at <eos>.
        """)

    @Option(help: "Run directory written by lm-train (default: \(RunDirectory.latest)).") var model: String?
    @Option(help: "Text to continue.") var prefix: String?
    @Option(name: .customLong("prefix-file"), help: "Read the text to continue from FILE (- for stdin), as is but for one trailing line end.")
    var prefixFile: String?
    @Option(parsing: .unconditional, help: "Tokens to generate.") var length = 50
    @Option(help: "greedy, temperature, alpha, top-k, top-p or beam (default: from the options given, else greedy).")
    var strategy: SamplingOptions.Strategy?
    @Option(parsing: .unconditional, help: "Temperature T > 0: sample from softmax(logits / T).") var temperature: Double?
    @Option(parsing: .unconditional, help: "Sharpening α ≥ 0: sample from p^α renormalized (α = 1/T; inf is greedy).") var alpha: Double?
    @Option(name: .customLong("top-k"), parsing: .unconditional, help: "Keep the K most likely tokens (K ≥ 1).") var topK: Int?
    @Option(name: .customLong("top-p"), parsing: .unconditional, help: "Keep the smallest set of most likely tokens with mass ≥ P (0 < P ≤ 1).")
    var topP: Double?
    @Option(parsing: .unconditional, help: "Beam search with K hypotheses (1 ≤ K ≤ 64; 1 is greedy).") var beams: Int?
    @Option(name: .customLong("length-penalty"), parsing: .unconditional,
            help: "Beam search ranks by log-probability / length^A (A ≥ 0, default 0; 1 is the mean per token).")
    var lengthPenalty: Double?
    @Flag(name: .customLong("stop-at-eos"), help: "Beam search ends a hypothesis at <eos> (word models built with --eos).")
    var stopAtEOS = false
    @Option(parsing: .unconditional, help: "Seed of the sampler's random generator (default: a random one, printed on stderr).") var seed: UInt64?
    @Option(parsing: .unconditional, help: "Continuations drawn together (one batched pass); with beam search, the N ≤ K best.") var samples = 1
    @Flag(help: "Fail when the prefix has tokens outside the vocabulary instead of reading them as <unk>.") var strict = false
    @Flag(name: .customLong("allow-unk"), help: "Let the model emit <unk>.") var allowUnknown = false
    @Flag(name: .customLong("continue-line"),
          help: "Read the prefix as the start of a line, not a whole one: no <eos> after it (word models built with --eos), so the continuation goes on with its sentence.")
    var continueLine = false
    @Flag(help: "Print the generation speed on stderr.") var stats = false

    var request: GenerationRequest {
        GenerationRequest(model: model ?? RunDirectory.latest, prefix: prefix ?? "", length: length,
                          sampling: SamplingOptions(strategy: strategy, temperature: temperature, alpha: alpha, topK: topK, topP: topP,
                                                    beams: beams, lengthPenalty: lengthPenalty, stopAtEOS: stopAtEOS),
                          seed: seed, samples: samples, strict: strict, allowUnknown: allowUnknown, stats: stats,
                          prefixFile: prefixFile, continueLine: continueLine)
    }

    func validate() throws {
        if prefix == nil && prefixFile == nil { throw ValidationError("give --prefix TEXT or --prefix-file FILE") }
        try ToolFailure.asUsageError { try request.validate() }
    }

    func run() throws { try request.run(writingTo: StandardOutput(), note: Self.note) }
}

extension SamplingOptions.Strategy: ExpressibleByArgument {}
