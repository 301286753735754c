import LMModels
import LMTensor

/// A model one ``TrainingStep`` can drive: forward with a loss, backward, and its
/// parameters with their gradient buffers. Every ``RecurrentNetwork`` in `Float` is one
/// (``RecurrentLM`` and ``SequenceModel``).
public protocol TrainableModel: AnyObject {
    /// One window's inputs and targets, as the model's forward takes them.
    associatedtype Inputs
    associatedtype Targets
    /// Every parameter, in the order optimizers and checkpoints see them.
    var parameters: [Parameter<Float>] { get }
    /// The parameters' gradient buffers, in the same order.
    var gradientBuffers: [UnsafeMutableBufferPointer<Float>] { get }
    /// Every gradient in one contiguous buffer (with zero padding between), which the
    /// ``gradientBuffers`` are views of: a data-parallel step sums it in place.
    var gradientStorage: Buffer<Float> { get }
    /// Sets every gradient to zero.
    func zeroGradients()
    /// Runs a window forward and returns its mean loss, dropping as the model's
    /// configuration says with the masks `dropout` keys (nil: no dropout).
    func forward(inputs: Inputs, targets: Targets, steps: Int, batch: Int, dropout: DropoutKey?) throws -> Double
    /// Adds the last window's ∂loss/∂θ to the gradients.
    func backward() throws
}

extension RecurrentNetwork: TrainableModel where Input.Scalar == Float {}

/// One optimisation step, the same for the corpus ``Trainer`` and the toy tasks: zero the
/// gradients, forward with the loss, stop if it is NaN or infinite, backward, clip the
/// global gradient norm, and one optimizer update. In a data-parallel run the loss and the
/// gradients are summed over the ranks (``GradientAllreduce``) before they are used.
public struct TrainingStep<Model: TrainableModel> {
    /// The model being trained.
    public let model: Model
    /// Global L2 bound on the gradients, or nil for no clipping.
    public let clip: Double?
    /// The sums over the ranks of a data-parallel run; nil for one process.
    public let allreduce: GradientAllreduce?
    private let gradients: [UnsafeMutableBufferPointer<Float>]

    /// A step for `model`, clipping at `clip` when it is set; `parallel` with this rank's
    /// share of the batch (rows / B) in a data-parallel run.
    public init(model: Model, clip: Double?, parallel: (DataParallel, weight: Double)? = nil) {
        self.model = model
        self.clip = clip
        gradients = model.gradientBuffers
        allreduce = parallel.map { GradientAllreduce($0.0, weight: $0.weight) }
    }

    /// Runs the step on one window, with the dropout masks of `dropout` (nil: none).
    /// - Returns: the window's mean loss (over every rank's rows), or nil when it is not
    ///   finite (nothing is then updated: no backward and no optimizer step).
    public func run(inputs: Model.Inputs, targets: Model.Targets, steps: Int, batch: Int,
                    optimizer: inout any Optimizer, dropout: DropoutKey? = nil) throws -> Double? {
        model.zeroGradients()
        var loss = try model.forward(inputs: inputs, targets: targets, steps: steps, batch: batch, dropout: dropout)
        if let allreduce { loss = try allreduce.loss(loss) }
        guard loss.isFinite else { return nil }
        try model.backward()
        if let allreduce { try allreduce.sum(model.gradientStorage) }
        if let clip { _ = GradientClipping.clip(gradients, maxNorm: clip) }
        optimizer.step(model.parameters)
        return loss
    }
}
