import LMModelFiles
import LMModels
import LMSettings
import LMTraining

/// The toy tasks of the reference tutorials (`lm-train --task`).
public enum ToyTask: String, CaseIterable, Sendable {
    /// Chainer's counting sequence 1 22 333 … (next-token prediction).
    case counting
    /// The adding problem (Le, Jaitly & Hinton 2015): regression on the last step.
    case adding
    /// Binary addition, least significant bit first: a logistic output per step.
    case binaryAdd = "binary-add"
}

/// What a user may set for a toy-task session. Every optional left nil takes the task's
/// own setting (see ``ToyTaskSession``); the others mean the same as for a corpus run.
public struct ToyTaskOptions: Sendable, Equatable {
    /// The task.
    public var task: ToyTask
    /// Cell type and RNN nonlinearity.
    public var model: ModelConfig.Kind
    public var activation: ModelConfig.Activation
    /// Hidden units per layer, and stacked layers.
    public var hidden: Int?
    public var layers: Int
    /// Embedding width (counting only: the other tasks read real-valued features).
    public var embedding: Int?
    /// Weight initialisation, or nil for the task's (Chainer's for counting, Xavier otherwise).
    public var initialization: ModelConfig.Initialization?
    /// Sequences per batch, the BPTT window (counting only) and epochs.
    public var batch: Int?
    public var steps: Int?
    public var epochs: Int?
    /// Optimizer and learning rate; RMSProp momentum (0: the task's) and Nesterov.
    public var optimizer: TrainingOptions.OptimizerKind?
    public var lr: Double?
    public var momentum: Double
    public var nesterov: Bool
    /// Global gradient-norm bound, or nil for no clipping.
    public var clip: Double?
    /// Adding problem: sequence length T; binary addition: steps (operand bits + 1).
    public var length: Int?
    /// Adding problem and binary addition: training sequences.
    public var samples: Int?
    /// Seed of the weights, the data and the minibatch order.
    public var seed: UInt64
    /// BLAS threads, or nil for the library's choice.
    public var threads: Int?
    /// Counting: the run directory (default `runs/counting-<model>`), checkpoints, and
    /// whether an existing run there may be replaced.
    public var output: String?
    public var checkpointEvery: Int
    public var keep: Int
    public var overwrite: Bool
    /// Refused: a toy task is rerun, not resumed.
    public var resume: Bool

    /// Options for `task`; every argument left out keeps the task's setting.
    public init(task: ToyTask, model: ModelConfig.Kind = .rnn, activation: ModelConfig.Activation = .tanh,
                hidden: Int? = nil, layers: Int = 1, embedding: Int? = nil,
                initialization: ModelConfig.Initialization? = nil, batch: Int? = nil, steps: Int? = nil,
                epochs: Int? = nil, optimizer: TrainingOptions.OptimizerKind? = nil, lr: Double? = nil,
                momentum: Double = 0, nesterov: Bool = false, clip: Double? = 1, length: Int? = nil,
                samples: Int? = nil, seed: UInt64 = 0, threads: Int? = nil, output: String? = nil,
                checkpointEvery: Int = 10, keep: Int = 3, overwrite: Bool = false, resume: Bool = false) {
        self.task = task
        self.model = model
        self.activation = activation
        self.hidden = hidden
        self.layers = layers
        self.embedding = embedding
        self.initialization = initialization
        self.batch = batch
        self.steps = steps
        self.epochs = epochs
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.nesterov = nesterov
        self.clip = clip
        self.length = length
        self.samples = samples
        self.seed = seed
        self.threads = threads
        self.output = output
        self.checkpointEvery = checkpointEvery
        self.keep = keep
        self.overwrite = overwrite
        self.resume = resume
    }

    /// Options that do not apply to the task are refused rather than ignored.
    /// - Throws: ``ToyTaskError`` saying which option and what to use instead.
    public func validate() throws {
        if resume { throw ToyTaskError.inapplicableOption("toy.resume is not available with toy.task; rerun the task (it takes seconds)") }
        if let length, length < 2 { throw ToyTaskError.invalidParameter("toy.length must be at least 2 (got \(length))") }
        if let samples, samples < 1 { throw ToyTaskError.invalidParameter("toy.samples must be at least 1 (got \(samples))") }
        if output?.isEmpty == true {
            throw ToyTaskError.invalidParameter("run.output is empty; give the run directory's path, or leave it out for runs/counting-<model>")
        }
        switch task {
        case .counting:
            if length != nil || samples != nil {
                throw ToyTaskError.inapplicableOption("toy.length and toy.samples apply to toy.task adding and binary-add; the counting sequence is fixed (use toy.steps for the BPTT length)")
            }
        case .adding, .binaryAdd:
            if steps != nil {
                throw ToyTaskError.inapplicableOption("toy.steps is the BPTT window of toy.task counting; give the sequence length of toy.task \(task.rawValue) with toy.length")
            }
            if embedding != nil {
                throw ToyTaskError.inapplicableOption("toy.embedding applies to token input; toy.task \(task.rawValue) reads 2 real-valued features per step")
            }
            if task == .binaryAdd, let length, length > 63 {
                throw ToyTaskError.invalidParameter("toy.length for binary-add is operand bits + 1, at most 63 (got \(length))")
            }
        }
    }
}
