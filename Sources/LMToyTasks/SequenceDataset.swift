import LMData
import LMModels
import LMTraining

/// A set of fixed-length sequences of real-valued feature vectors with their targets, as a
/// ``SequenceModel`` trains on: the adding problem (one real target per sequence) or binary
/// addition (one 0/1 target per step).
///
/// Storage is sample-major as the task generators write it; ``gather(_:inputs:targets:)``
/// cuts a minibatch into the model's t-major layout.
public struct SequenceDataset: Sendable, Equatable {
    /// Number of sequences.
    public let count: Int
    /// Steps per sequence T.
    public let steps: Int
    /// Features per step F.
    public let features: Int
    /// Target rows per sequence: 1 (a label for the whole sequence) or `steps` (one per step).
    public let targetRows: Int
    /// Outputs per target row O.
    public let outputs: Int
    /// `count × steps × features`: `inputs[(n·steps + t)·features + f]`.
    public let inputs: [Float]
    /// `count × targetRows × outputs`: `targets[(n·targetRows + r)·outputs + o]`.
    public let targets: [Float]

    /// Wraps sample-major arrays; the counts must agree with the shape.
    public init(steps: Int, features: Int, targetRows: Int, outputs: Int, inputs: [Float], targets: [Float]) throws {
        guard steps >= 1, features >= 1, outputs >= 1, targetRows == 1 || targetRows == steps else {
            throw TrainingError.invalidSetting("a sequence dataset needs steps, features and outputs ≥ 1 and 1 or `steps` target rows per sequence")
        }
        let count = inputs.count / (steps * features)
        guard count >= 1, inputs.count == count * steps * features, targets.count == count * targetRows * outputs else {
            throw TrainingError.invalidSetting("\(inputs.count) input values and \(targets.count) targets do not make whole sequences of \(steps) steps × \(features) features with \(targetRows) × \(outputs) targets")
        }
        self.count = count
        self.steps = steps
        self.features = features
        self.targetRows = targetRows
        self.outputs = outputs
        self.inputs = inputs
        self.targets = targets
    }

    /// The adding problem: 2 features per step (value, mask), the sum as the one target.
    public init(_ problem: AddingProblem) {
        try! self.init(steps: problem.length, features: 2, targetRows: 1, outputs: 1,
                       inputs: problem.inputs, targets: problem.labels)
    }

    /// Binary addition: 2 features per step (the operands' bits), the sum's bit per step.
    public init(_ problem: BinaryAddition) {
        try! self.init(steps: problem.steps, features: 2, targetRows: problem.steps, outputs: 1,
                       inputs: problem.inputs, targets: problem.targets)
    }

    /// Writes the sequences `indices` (in order, as batch rows b) t-major: `inputs[(t·B + b)·F + f]`,
    /// and targets `[b·O + o]` (one row per sequence) or `[(t·B + b)·O + o]` (one per step).
    /// The arrays are resized as needed.
    public func gather<C: RandomAccessCollection<Int>>(_ indices: C, inputs x: inout [Float], targets y: inout [Float]) {
        let start = indices.startIndex, steps = steps, f = features, rows = targetRows, o = outputs
        func sequence(_ b: Int) -> Int { indices[indices.index(start, offsetBy: b)] }
        TimeMajor.gather(rows: indices.count, steps: steps, width: f, from: inputs,
                         rowStart: { sequence($0) * steps * f }, into: &x)
        TimeMajor.gather(rows: indices.count, steps: rows, width: o, from: targets,
                         rowStart: { sequence($0) * rows * o }, into: &y)
    }
}
