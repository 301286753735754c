import LMModelFiles
import LMModels
import LMTensor

/// An optimizer that, once `start()` is called, also keeps the running average of the
/// weights after every update: NT-ASGD's averaging, as PyTorch's ASGD with `t0` at the
/// trigger and `lambd` 0 (its update is then SGD's, so `inner` does the update). PyTorch's
/// running mean uses μ = 1 / max(1, n − 1) at the n-th update since the start, so the
/// average after n ≥ 2 updates is the mean of the weights after updates 2…n (update 1's are
/// overwritten); kept here exactly. The average is optimizer state (`optimizer.ax.<name>`,
/// scalars `asgd.*`), so checkpoints carry it and resume continues it exactly.
public struct WeightAverage: Optimizer {
    /// The update rule (SGD for NT-ASGD).
    public var inner: any Optimizer
    /// Whether averaging has started.
    public private(set) var isAveraging = false
    /// Updates since averaging started.
    public private(set) var updates = 0
    private var average = Slots(name: "ax")
    /// The raw weights while the average is swapped in.
    private var raw: [[Float]] = []

    public init(_ inner: any Optimizer) { self.inner = inner }

    public var learningRate: Double {
        get { inner.learningRate }
        set { inner.learningRate = newValue }
    }

    /// Starts averaging with the next update.
    public mutating func start() { isAveraging = true }

    public mutating func step(_ parameters: [Parameter<Float>]) {
        inner.step(parameters)
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

    public func stateTensors(for parameters: [Parameter<Float>]) -> [SafeTensors.Tensor] {
        inner.stateTensors(for: parameters) + average.tensors(for: parameters)
    }

    public var stateScalars: [String: Double] {
        inner.stateScalars.merging(["asgd.averaging": isAveraging ? 1 : 0, "asgd.updates": Double(updates)]) { $1 }
    }

    public mutating func restore(tensors: [String: SafeTensors.Tensor], scalars: [String: Double], parameters: [Parameter<Float>]) throws {
        try inner.restore(tensors: tensors, scalars: scalars, parameters: parameters)
        isAveraging = scalars["asgd.averaging"] == 1
        updates = Int(scalars["asgd.updates"] ?? 0)
        try average.restore(tensors, parameters: parameters)
        if updates > 0 && average.buffers.count != parameters.count {
            throw TrainingError.resumeMismatch("the checkpoint counts \(updates) averaged updates but lacks the average (optimizer.ax.*)")
        }
    }
}
