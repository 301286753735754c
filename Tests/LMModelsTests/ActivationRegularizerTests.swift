@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// AR and TAR (``ModelConfig/ActivationRegularization``): their value is AWD-LSTM's formula,
/// they leave the reported loss alone, and ``GradientCheckTests``' finite-difference check of
/// the cross-entropy plus AR/TAR passes, with and without the output dropout, for every cell
/// kind; a wrong AR or TAR gradient fails it.
@Suite struct ActivationRegularizerTests {
    static let key = DropoutKey(seed: 0xA5_7A12, window: 5)

    static func config(_ kind: ModelConfig.Kind, ar: Double, tar: Double, dropout: Dropout = .off,
                       widths: ModelConfig.LayerWidths = .uniform(4)) -> ModelConfig {
        var c = ModelConfig(kind: kind, vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 2,
                            initialization: .uniform(bound: 0.6))
        c.layerWidths = widths
        c.activationRegularization = .init(ar: ar, tar: tar)
        c.dropout = dropout
        return c
    }

    /// The loss is α·mean(D²) + β·mean((R_{t+1} − R_t)²), computed here from the network's own
    /// top-layer outputs as AWD's `main.py` does; the forward's returned loss does not change.
    @Test func theLossIsAWDsFormulaAndStaysOutOfTheReportedLoss() throws {
        let plain = Self.config(.lstm, ar: 0, tar: 0, dropout: Dropout(output: 0.5))
        let regularized = Self.config(.lstm, ar: 2, tar: 1, dropout: Dropout(output: 0.5))
        let (steps, batch) = (4, 3)
        var rng = SplitMix64(seed: 7)
        let ids = randomTokens(steps * batch, vocabulary: 5, &rng), targets = randomTokens(steps * batch, vocabulary: 5, &rng)
        var rngA = SplitMix64(seed: 9), rngB = SplitMix64(seed: 9)
        let a = try RecurrentLM<Double>(config: plain, using: &rngA), b = try RecurrentLM<Double>(config: regularized, using: &rngB)
        let lossA = try a.forward(inputs: ids, targets: targets, steps: steps, batch: batch, dropout: Self.key)
        let lossB = try b.forward(inputs: ids, targets: targets, steps: steps, batch: batch, dropout: Self.key)
        #expect(lossA == lossB)
        #expect(a.activationRegularizationLoss == 0)
        let top = b.cells[1].workspace, h = 4, n = steps * batch * h
        let raw = Array(UnsafeBufferPointer(start: top.outputs, count: n))
        let dropped = b.outputMask.values.array
        #expect(dropped.count >= n && zip(raw, dropped).contains { $0 != $1 })   // the dropout applied
        let ar = 2 * dropped.prefix(n).map { $0 * $0 }.reduce(0, +) / Double(n)
        let stepWidth = batch * h
        var squares = 0.0
        for i in 0..<(n - stepWidth) {
            let d: Double = raw[i + stepWidth] - raw[i]
            squares += d * d
        }
        let tar = 1 * squares / Double(n - stepWidth)
        #expect(abs(b.activationRegularizationLoss - (ar + tar)) < 1e-12)
    }

    /// One step has no consecutive outputs: TAR is 0 there, and AR alone remains.
    @Test func aOneStepWindowHasNoTAR() throws {
        var rng = SplitMix64(seed: 3)
        let tarOnly = try RecurrentLM<Double>(config: Self.config(.rnn, ar: 0, tar: 1), using: &rng)
        try tarOnly.forward(inputs: [1, 2], targets: [2, 3], steps: 1, batch: 2)
        #expect(tarOnly.activationRegularizationLoss == 0)
        try tarOnly.backward()
        let r = try GradientCheckTests.check(Self.config(.rnn, ar: 1, tar: 1), steps: 1)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var ar: Double, tar: Double
        var dropout: Dropout
        var widths: ModelConfig.LayerWidths
        var fault: BackwardFault
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "AR", ar: 2, tar: 0, dropout: .off, widths: .uniform(4), fault: .halfARGradient),
        Case(name: "AR after output dropout", ar: 2, tar: 0, dropout: Dropout(output: 0.5), widths: .uniform(4), fault: .halfARGradient),
        Case(name: "TAR", ar: 0, tar: 2, dropout: .off, widths: .uniform(4), fault: .oneSidedTARGradient),
        Case(name: "TAR under output dropout", ar: 0, tar: 2, dropout: Dropout(output: 0.5), widths: .uniform(4), fault: .oneSidedTARGradient),
        Case(name: "AR and TAR, widths 5,3, AWD's dropouts", ar: 2, tar: 1,
             dropout: Dropout(input: 0.3, hidden: 0.3, output: 0.3, locked: true, embedding: 0.2, weightDrop: 0.3),
             widths: .perLayer([5, 3]), fault: .oneSidedTARGradient),
    ]

    @Test(arguments: CellRegistry.kinds, cases)
    func analyticMatchesFiniteDifferences(kind: ModelConfig.Kind, regularization: Case) throws {
        let c = Self.config(kind, ar: regularization.ar, tar: regularization.tar, dropout: regularization.dropout, widths: regularization.widths)
        let r = try GradientCheckTests.check(c, dropout: Self.key)
        #expect(r.checked > 0)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }

    @Test(arguments: CellRegistry.kinds, cases)
    func checkFailsWhenTheGradientIsWrong(kind: ModelConfig.Kind, regularization: Case) throws {
        let c = Self.config(kind, ar: regularization.ar, tar: regularization.tar, dropout: regularization.dropout, widths: regularization.widths)
        let r = try GradientCheckTests.check(c, fault: regularization.fault, dropout: Self.key)
        #expect(r.worst > 1e-2, "\(regularization.fault) went unnoticed (worst \(r.worst))")
    }
}
