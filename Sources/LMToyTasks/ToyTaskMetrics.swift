import LMModels
import LMTensor

/// How well a ``SequenceModel`` does on a ``SequenceDataset``.
public struct ToyTaskMetrics: Equatable, Sendable {
    /// Mean loss (MSE for regression, binary cross-entropy for logistic).
    public var loss: Double
    /// Regression: mean squared error `mean((ŷ − y)²)` (equal to `loss`); nil for logistic.
    public var meanSquaredError: Double?
    /// Logistic: fraction of sequences whose every rounded output equals its target (for
    /// binary addition, the fraction of sums that are exact); nil for regression.
    public var exactFraction: Double?
    /// Logistic: fraction of single outputs (bits) right; nil for regression.
    public var outputAccuracy: Double?
    /// Sequences evaluated.
    public var sequences: Int

    /// A result as measured.
    public init(loss: Double, meanSquaredError: Double?, exactFraction: Double?, outputAccuracy: Double?, sequences: Int) {
        self.loss = loss
        self.meanSquaredError = meanSquaredError
        self.exactFraction = exactFraction
        self.outputAccuracy = outputAccuracy
        self.sequences = sequences
    }

    /// The loss and task metric of `model` on `set`, in chunks of up to 1,000 sequences (no
    /// gradient; the model keeps no state between forwards).
    public init(_ model: SequenceModel<Float>, on set: SequenceDataset) throws {
        var inputs = [Float](), targets = [Float]()
        var lossSum = 0.0, exact = 0, rightOutputs = 0, first = 0
        let chunk = 1000
        while first < set.count {
            let rows = first..<min(first + chunk, set.count)
            first = rows.upperBound
            set.gather(rows, inputs: &inputs, targets: &targets)
            lossSum += try model.forward(inputs: inputs, targets: targets, steps: set.steps, batch: rows.count) * Double(rows.count)
            guard model.config.head == .logistic else { continue }
            let p = model.predictions, b = rows.count, o = set.outputs
            for row in 0..<b {
                var allRight = true
                for t in 0..<set.steps {
                    for j in 0..<o {
                        let i = (t * b + row) * o + j
                        if (p[i] >= 0.5) == (targets[i] >= 0.5) { rightOutputs += 1 } else { allRight = false }
                    }
                }
                if allRight { exact += 1 }
            }
        }
        let loss = lossSum / Double(set.count)
        switch model.config.head {
        case .regression:
            self.init(loss: loss, meanSquaredError: loss, exactFraction: nil, outputAccuracy: nil, sequences: set.count)
        case .logistic:
            self.init(loss: loss, meanSquaredError: nil, exactFraction: Double(exact) / Double(set.count),
                      outputAccuracy: Double(rightOutputs) / Double(set.count * set.steps * set.outputs),
                      sequences: set.count)
        }
    }
}
