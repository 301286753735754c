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
    /// After ``backward()``: a parameter whose gradient is zero outside some rows, or nil.
    var rowSparseGradient: RowSparseGradient<Float>? { get }
    /// Runs a window forward and returns its mean loss, dropping as the model's
    /// configuration says with the masks `dropout` keys (nil: no dropout); with
    /// `keepingOutputs` false the model may overwrite its outputs with their gradient.
    func forward(inputs: Inputs, targets: Targets, steps: Int, batch: Int, dropout: DropoutKey?,
                 keepingOutputs: Bool) throws -> Double
    /// Adds the last window's ∂loss/∂θ to the gradients.
    func backward() throws
}

extension RecurrentNetwork: TrainableModel where Input.Scalar == Float {}

/// One optimisation step, the same for the corpus ``Trainer`` and the toy tasks: zero the
/// gradients, forward with the loss, stop if it is NaN or infinite, backward, clip the
/// global gradient norm, and one optimizer update. In a data-parallel run the loss and the
/// gradients are summed over the ranks (``GradientAllreduce``) before they are used.
///
/// When the model reports a row-sparse gradient (``RowSparseGradient``: an untied embedding,
/// written in the window's rows only) and no other rank adds to it, the norm reads, the
/// optimizer may update, and the next step zeroes only those rows of that parameter: for a
/// 10,000-word vocabulary and 400 tokens a window, a twentieth of its rows.
public struct TrainingStep<Model: TrainableModel> {
    /// The model being trained.
    public let model: Model
    /// Global L2 bound on the gradients, or nil for no clipping.
    public let clip: Double?
    /// The sums over the ranks of a data-parallel run; nil for one process.
    public let allreduce: GradientAllreduce?
    private let gradients: [UnsafeMutableBufferPointer<Float>]
    /// The last step's row-sparse gradient (the rows the next step must zero), and the
    /// buffers clipping reads with it, kept so that a step allocates nothing.
    private let written = WrittenRows()

    private final class WrittenRows {
        var sparse: RowSparseGradient<Float>?
        var clipped: [UnsafeMutableBufferPointer<Float>] = []
    }

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
        zeroGradients()
        var loss = try model.forward(inputs: inputs, targets: targets, steps: steps, batch: batch, dropout: dropout,
                                     keepingOutputs: false)
        if let allreduce { loss = try allreduce.loss(loss) }
        guard loss.isFinite else { return nil }
        try model.backward()
        if let allreduce { try allreduce.sum(model.gradientStorage) }
        let sparse = allreduce == nil ? model.rowSparseGradient : nil
        written.sparse = sparse
        if let clip {
            if let sparse { GradientClipping.clip(buffers(sparse), maxNorm: clip) } else { GradientClipping.clip(gradients, maxNorm: clip) }
        }
        optimizer.step(model.parameters, sparse: sparse)
        return loss
    }

    /// Every gradient, or after the last step's row-sparse one: all but that parameter's, and
    /// that parameter's written rows.
    private func zeroGradients() {
        guard let sparse = written.sparse else { return model.zeroGradients() }
        written.sparse = nil
        let storage = model.gradientStorage, g = sparse.parameter.gradient
        let start = g.pointer - storage.pointer
        guard start >= 0 && start + g.count <= storage.count else { return model.zeroGradients() }
        storage.zero(0..<start)
        storage.zero(start + g.count..<storage.count)
        let width = sparse.parameter.cols
        for row in sparse.rows { (g.pointer + row * width).update(repeating: 0, count: width) }
    }

    /// The gradients to clip with `sparse`: the others whole, then its written rows.
    private func buffers(_ sparse: RowSparseGradient<Float>) -> [UnsafeMutableBufferPointer<Float>] {
        let skipped = sparse.parameter.gradient.pointer, width = sparse.parameter.cols
        written.clipped.removeAll(keepingCapacity: true)
        written.clipped.reserveCapacity(gradients.count + sparse.rows.count)
        for buffer in gradients where buffer.baseAddress != skipped { written.clipped.append(buffer) }
        for row in sparse.rows { written.clipped.append(UnsafeMutableBufferPointer(start: skipped + row * width, count: width)) }
        return written.clipped
    }
}
