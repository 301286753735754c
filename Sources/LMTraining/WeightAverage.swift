import LMModelFiles
import LMModels
import LMTensor

/// NT-ASGD's running average of the weights, kept after every update once `start()` is
/// called: PyTorch's ASGD with `t0` at the trigger and `lambd` 0 (its update is then SGD's,
/// so the optimizer does the update and ``accumulate(_:)`` follows it). PyTorch's running
/// mean uses μ = 1 / max(1, n − 1) at the n-th update since the start, so the average after
/// n ≥ 2 updates is the mean of the weights after updates 2…n (update 1's are overwritten);
/// kept here exactly. Checkpoints carry the average (`optimizer.ax.<name>`) and the count
/// (``AveragingState/updates``), so resume continues it exactly.
public struct WeightAverage {
    /// Whether averaging has started.
    public private(set) var isAveraging = false
    /// Updates since averaging started.
    public private(set) var updates = 0
    private var average = Slots(name: "ax")
    /// The raw weights while the average is swapped in.
    private var raw: [[Float]] = []

    public init() {}

    /// Starts averaging with the next update.
    public mutating func start() { isAveraging = true }

    /// Adds the weights after an update to the average (nothing before ``start()``).
    public mutating func accumulate(_ parameters: [Parameter<Float>]) {
        guard isAveraging else { return }
        average.prepare(parameters)
        updates += 1
        let mu = Float(1 / Double(max(1, updates - 1)))
        for (index, parameter) in parameters.enumerated() {
            let value = parameter.value.pointer
            average.buffers[index].withUnsafeMutableBufferPointer { ax in
                if mu == 1 {
                    for i in 0..<parameter.count { ax[i] = value[i] }
                } else {
                    for i in 0..<parameter.count { ax[i] += (value[i] - ax[i]) * mu }
                }
            }
        }
    }

    /// Runs `body` with the averaged weights in `parameters` (the raw ones when no update was
    /// averaged yet), then puts the raw weights back exactly.
    public mutating func withAverage<T>(in parameters: [Parameter<Float>], _ body: () throws -> T) rethrows -> T {
        guard isAveraging, average.buffers.count == parameters.count else { return try body() }
        if raw.count != parameters.count { raw = parameters.map { [Float](repeating: 0, count: $0.count) } }
        for (index, parameter) in parameters.enumerated() {
            let value = parameter.value.pointer
            raw[index].withUnsafeMutableBufferPointer { saved in
                average.buffers[index].withUnsafeBufferPointer { ax in
                    for i in 0..<parameter.count {
                        saved[i] = value[i]
                        value[i] = ax[i]
                    }
                }
            }
        }
        defer {
            for (index, parameter) in parameters.enumerated() {
                let value = parameter.value.pointer
                raw[index].withUnsafeBufferPointer { saved in
                    for i in 0..<parameter.count { value[i] = saved[i] }
                }
            }
        }
        return try body()
    }

    /// The average as checkpoint tensors, `optimizer.ax.<name>` (none before the first averaged update).
    public func stateTensors(for parameters: [Parameter<Float>]) -> [SafeTensors.Tensor] {
        average.tensors(for: parameters)
    }

    /// Restores an average saved by ``stateTensors(for:)`` with its count and whether it had started.
    /// - Throws: ``TrainingError/resumeMismatch(_:)`` when `updates` counts averaged updates but
    ///   the tensors lack the average.
    public mutating func restore(tensors: [String: SafeTensors.Tensor], isAveraging: Bool, updates: Int,
                                 parameters: [Parameter<Float>]) throws {
        self.isAveraging = isAveraging
        self.updates = updates
        try average.restore(tensors, parameters: parameters)
        if updates > 0 && average.buffers.count != parameters.count {
            throw TrainingError.resumeMismatch("the checkpoint counts \(updates) averaged updates but lacks the average (optimizer.ax.*)")
        }
    }
}
