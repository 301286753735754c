import ArgumentParser
import Foundation
import LMData
import LMGeneration
import LMModels
import LMText
import LMTraining

/// `lm-generate`: continue a prefix with a trained model.
@main
struct LMGenerate: ParsableCommand {
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
        the same as temperature 1/α), top-k, top-p (nucleus). The strategy follows from the \
        options when --strategy is omitted. Combinations scale first, then cut: --temperature \
        (or --alpha) with --top-k and/or --top-p. <unk> is never emitted unless --allow-unk.
        """)

    enum Strategy: String, ExpressibleByArgument, CaseIterable {
        case greedy, temperature, alpha
        case topK = "top-k"
        case topP = "top-p"
    }

    @Option(help: "Run directory written by lm-train (default: \(RunDirectory.latest)).") var model: String?
    @Option(help: "Text to continue.") var prefix: String
    @Option(help: "Tokens to generate.") var length = 50
    @Option(help: "greedy, temperature, alpha, top-k or top-p (default: from the options given, else greedy).")
    var strategy: Strategy?
    @Option(help: "Temperature T > 0: sample from softmax(logits / T).") var temperature: Double?
    @Option(help: "Sharpening α ≥ 0: sample from p^α renormalized (α = 1/T; inf is greedy).") var alpha: Double?
    @Option(name: .customLong("top-k"), help: "Keep the K most likely tokens (K ≥ 1).") var topK: Int?
    @Option(name: .customLong("top-p"), help: "Keep the smallest set of most likely tokens with mass ≥ P (0 < P ≤ 1).")
    var topP: Double?
    @Option(help: "Seed of the sampler's random generator (default: a random one, printed on stderr).") var seed: UInt64?
    @Option(help: "Continuations drawn together (one batched pass).") var samples = 1
    @Flag(help: "Fail when the prefix has tokens outside the vocabulary instead of reading them as <unk>.") var strict = false
    @Flag(name: .customLong("allow-unk"), help: "Let the model emit <unk>.") var allowUnknown = false
    @Flag(help: "Print the generation speed on stderr.") var stats = false

    /// The strategy asked for, explicitly or by the options given.
    var resolvedStrategy: Strategy {
        if let strategy { return strategy }
        if topP != nil { return .topP }
        if topK != nil { return .topK }
        if alpha != nil { return .alpha }
        if temperature != nil { return .temperature }
        return .greedy
    }

    func validate() throws {
        if prefix.isEmpty { throw ValidationError("--prefix is empty; generation starts from the prefix's last token, so give at least one") }
        if length < 0 { throw ValidationError("--length must be ≥ 0 (got \(length))") }
        if samples < 1 { throw ValidationError("--samples must be ≥ 1 (got \(samples))") }
        if let temperature, !(temperature > 0 && temperature.isFinite) {
            throw ValidationError("--temperature must be positive and finite (got \(temperature)); use --strategy greedy for T → 0")
        }
        if let alpha, !(alpha >= 0) { throw ValidationError("--alpha must be ≥ 0 (got \(alpha)); α > 1 sharpens, inf is greedy") }
        if let topK, topK < 1 { throw ValidationError("--top-k must be ≥ 1 (got \(topK))") }
        if let topP, !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1] (got \(topP))") }
        if temperature != nil && alpha != nil {
            throw ValidationError("give --temperature or --alpha, not both (α is temperature 1/α)")
        }
        switch resolvedStrategy {
        case .greedy:
            for (given, name) in [(temperature != nil, "--temperature"), (alpha != nil, "--alpha"), (topK != nil, "--top-k"), (topP != nil, "--top-p")] where given {
                throw ValidationError("\(name) has no effect with --strategy greedy")
            }
        case .temperature:
            if alpha != nil { throw ValidationError("--alpha applies to --strategy alpha (α is temperature 1/α)") }
            if topK != nil || topP != nil { throw ValidationError("--top-k/--top-p need --strategy top-k or top-p (the temperature is applied first)") }
        case .alpha:
            if alpha == nil { throw ValidationError("--strategy alpha needs --alpha A") }
            if topK != nil || topP != nil { throw ValidationError("--top-k/--top-p need --strategy top-k or top-p (with --alpha, applied first)") }
        case .topK, .topP:
            if let alpha, !(alpha > 0 && alpha.isFinite) {
                throw ValidationError("with --top-k/--top-p, --alpha must be positive and finite (it scales as temperature 1/α)")
            }
        }
        switch resolvedStrategy {
        case .greedy, .temperature, .alpha:
            break
        case .topK:
            if topK == nil { throw ValidationError("--strategy top-k needs --top-k K") }
            if topP != nil { throw ValidationError("--top-p needs --strategy top-p (--top-k then cuts first)") }
        case .topP:
            if topP == nil { throw ValidationError("--strategy top-p needs --top-p P") }
        }
    }

    func run() throws {
        let path = model ?? RunDirectory.latest
        do {
            let trained = try RunDirectory.load(path)
            let generator = try Generator(model: trained.model, vocabularyFile: trained.vocabularyFile)
            let read = try generator.encode(prefix: prefix, strict: strict)
            if read.changed {
                note("note: the model reads the prefix as \(read.text.debugDescription) (\(generator.pipeline.summary))")
            }
            if !read.unknownTokens.isEmpty {
                note("warning: not in the vocabulary, read as <unk>: "
                     + read.unknownTokens.map(\.debugDescription).joined(separator: ", ") + " (--strict makes this an error)")
            }
            // Scale (temperature, or alpha as temperature 1/α), then cut.
            let scale = temperature ?? alpha.map { 1 / $0 } ?? 1
            switch resolvedStrategy {
            case .greedy: var s = Greedy(); try generate(generator, read, &s)
            case .temperature: var s = try Temperature(temperature ?? 1); try generate(generator, read, &s)
            case .alpha: var s = try AlphaSharpening(alpha: alpha!); try generate(generator, read, &s)
            case .topK: var s = try TopK(k: topK!, temperature: scale); try generate(generator, read, &s)
            case .topP: var s = try TopP(p: topP!, temperature: scale, topK: topK); try generate(generator, read, &s)
            }
        } catch let error as TrainingError {
            fail(error.description)
        } catch let error as GenerationError {
            fail(error.description)
        } catch let error as TextError {
            fail(error.description)
        } catch let error as ModelError {
            fail("\(path): \(error.description)")
        }
    }

    /// Generates with `sampler` and writes the text.
    func generate<S: LogitSampler>(_ generator: Generator, _ read: Generator.Prefix, _ sampler: inout S) throws {
        let seed = self.seed ?? {
            let s = UInt64.random(in: 0...UInt64(UInt32.max))
            if resolvedStrategy != .greedy && !(resolvedStrategy == .alpha && alpha == .infinity) {
                note("seed \(s) (pass --seed \(s) to repeat)")
            }
            return s
        }()
        var random = RandomGenerator(seed: seed)
        let detokenizer = generator.detokenizer
        let output = StandardOutput()
        defer { output.flush() }   // what was generated before an error, too
        let clock = ContinuousClock()
        let started = clock.now
        if samples == 1 {
            output.write(read.text)
            var previous = read.ids.last
            try generator.generate(prefix: read.ids, length: length, sampler: &sampler, using: &random,
                                   allowUnknown: allowUnknown) { _, tokens in
                output.write(detokenizer.piece(tokens[0], after: previous))
                previous = tokens[0]
            }
            output.write("\n")
            output.flush()
        } else {
            let continuations = try generator.generate(prefix: read.ids, length: length, samples: samples,
                                                       sampler: &sampler, using: &random, allowUnknown: allowUnknown)
            for ids in continuations {
                output.write(read.text + detokenizer.text(of: ids, after: read.ids.last) + "\n")
            }
            output.flush()
        }
        let seconds = Double((clock.now - started) / .nanoseconds(1)) * 1e-9
        if stats {
            let tokens = length * samples
            note(String(format: "generated %d tokens in %.3f s (%.0f tokens/s; batch %d, %@)", tokens, seconds,
                        Double(tokens) / max(seconds, 1e-9), samples, resolvedStrategy.rawValue))
        }
    }
}

/// stdout for streamed text. On a terminal every piece is written at once (one write(2) per
/// token). Into a pipe or a file, pieces are gathered and written at least every 10 ms (and at
/// 64 KiB, and at the end), so a reader still sees the text as it is produced while a fast model
/// does not pay a system call per token (about 1 µs, 10–15 % of an RNN-512 step).
final class StandardOutput {
    private var buffer: [UInt8] = []
    private let isTerminal = isatty(STDOUT_FILENO) != 0
    private var lastFlush = StandardOutput.now()
    private static let interval: UInt64 = 10_000_000   // ns

    init() { buffer.reserveCapacity(1 << 16) }

    func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if isTerminal || buffer.count >= 1 << 16 || StandardOutput.now() &- lastFlush >= StandardOutput.interval {
            flush()
        }
    }

    /// Writes out everything gathered.
    func flush() {
        buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = Foundation.write(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { exit(1) }   // stdout closed (e.g. a pipe whose reader left)
                offset += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
        lastFlush = StandardOutput.now()
    }

    private static func now() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
    }
}

/// A line on stderr, prefixed with the tool's name.
func note(_ message: String) {
    FileHandle.standardError.write(Data("lm-generate: \(message)\n".utf8))
}

/// Reports a library error in one line and exits with status 1.
func fail(_ message: String) -> Never {
    note(message)
    exit(1)
}
