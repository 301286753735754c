import LMModelFiles
import LMModels
import LMTensor

/// An update rule over a model's named parameters. State that must survive a resume (moment
/// estimates, step count) is exposed as named tensors and a typed ``OptimizerState``.
public protocol Optimizer {
    /// The current learning rate (schedules change it between epochs).
    var learningRate: Double { get set }
    /// Updates every parameter from its gradient (call after backward and clipping).
    mutating func step(_ parameters: [Parameter<Float>])
    /// The same update when `sparse` says one parameter's gradient is zero outside some rows
    /// (``RowSparseGradient``); an optimizer may then skip the other rows where that changes
    /// nothing. The default updates everything (``step(_:)``).
    mutating func step(_ parameters: [Parameter<Float>], sparse: RowSparseGradient<Float>?)
    /// The optimizer's per-parameter state, named `optimizer.<slot>.<parameter name>`.
    func stateTensors(for parameters: [Parameter<Float>]) -> [SafeTensors.Tensor]
    /// The scalar state (step count and the like).
    var checkpointState: OptimizerState { get }
    /// Restores a state saved by `stateTensors()` and `checkpointState` for the same parameters.
    /// - Throws: ``TrainingError/resumeMismatch(_:)`` for another optimizer's state or missing tensors.
    mutating func restore(tensors: [String: SafeTensors.Tensor], state: OptimizerState, parameters: [Parameter<Float>]) throws
}

extension Optimizer {
    /// Every row: an update with state (moments, decay) changes rows whose gradient is 0.
    public mutating func step(_ parameters: [Parameter<Float>], sparse: RowSparseGradient<Float>?) {
        step(parameters)
    }
}

extension OptimizerState {
    /// The error for restoring this state into `optimizer` (another optimizer's state).
    func mismatch(_ optimizer: String) -> TrainingError {
        .resumeMismatch("the checkpoint's optimizer state is \(self), not \(optimizer)'s")
    }
}

/// Per-parameter buffers shaped like the parameters (moment estimates, velocities).
struct Slots {
    let name: String
    var buffers: [[Float]] = []

    init(name: String) { self.name = name }

    /// Allocates zeroed buffers the first time parameters are seen.
    mutating func prepare(_ parameters: [Parameter<Float>]) {
        if buffers.count != parameters.count {
            buffers = parameters.map { [Float](repeating: 0, count: $0.count) }
        }
    }

    func tensors(for parameters: [Parameter<Float>]) -> [SafeTensors.Tensor] {
        guard buffers.count == parameters.count else { return [] }
        return zip(parameters, buffers).map { SafeTensors.Tensor(name: "optimizer.\(name).\($0.name)", shape: $0.shape, values: $1) }
    }

    mutating func restore(_ tensors: [String: SafeTensors.Tensor], parameters: [Parameter<Float>]) throws {
        var restored: [[Float]] = []
        for parameter in parameters {
            let key = "optimizer.\(name).\(parameter.name)"
            guard let tensor = tensors[key] else {
                if restored.isEmpty && !tensors.keys.contains(where: { $0.hasPrefix("optimizer.\(name).") }) {
                    buffers = []   // saved before the first step
                    return
                }
                throw TrainingError.resumeMismatch("the checkpoint lacks optimizer state \(key)")
            }
            guard tensor.values.count == parameter.count else {
                throw TrainingError.resumeMismatch("optimizer state \(key) has \(tensor.values.count) values for \(parameter.count) parameters")
            }
            restored.append(tensor.values)
        }
        buffers = restored
    }
}
