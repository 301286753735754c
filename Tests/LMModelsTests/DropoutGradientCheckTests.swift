@testable import LMModels
import LMSettings
import Testing

/// ``GradientCheckTests``' finite-difference check through every dropout path, with the
/// masks fixed by one ``DropoutKey`` (so the loss is a smooth function of the weights), and
/// its fault injection: skipping any one mask in the backward must fail the check.
@Suite struct DropoutGradientCheckTests {
    static let key = DropoutKey(seed: 0xD120_F0A7, window: 3)

    /// A dropout case: a name, the settings, and the fault that skips its mask.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var dropout: Dropout
        var fault: BackwardFault
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "input", dropout: Dropout(input: 0.5), fault: .skipInputMask),
        Case(name: "hidden", dropout: Dropout(hidden: 0.5), fault: .skipHiddenMask),
        Case(name: "output", dropout: Dropout(output: 0.5), fault: .skipOutputMask),
        Case(name: "locked", dropout: Dropout(input: 0.4, hidden: 0.4, output: 0.4, locked: true), fault: .skipHiddenMask),
        Case(name: "embedding", dropout: Dropout(embedding: 0.5), fault: .skipEmbeddingMask),
        Case(name: "weight drop", dropout: Dropout(weightDrop: 0.5), fault: .skipWeightMask),
        Case(name: "all", dropout: Dropout(input: 0.3, hidden: 0.3, output: 0.3, embedding: 0.3, weightDrop: 0.3), fault: .skipOutputMask),
    ]

    static func config(_ kind: ModelConfig.Kind, _ dropout: Dropout) -> ModelConfig {
        var c = ModelConfig(kind: kind, vocabularySize: 5, embeddingSize: 3, hiddenSize: 4, layers: 2,
                            initialization: .uniform(bound: 0.6))
        c.dropout = dropout
        return c
    }

    @Test(arguments: CellRegistry.kinds, cases)
    func analyticMatchesFiniteDifferences(kind: ModelConfig.Kind, dropout: Case) throws {
        let r = try GradientCheckTests.check(Self.config(kind, dropout.dropout), dropout: Self.key)
        #expect(r.checked > 0)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }

    @Test(arguments: CellRegistry.kinds, cases)
    func checkFailsWhenAMaskIsSkipped(kind: ModelConfig.Kind, dropout: Case) throws {
        let r = try GradientCheckTests.check(Self.config(kind, dropout.dropout), fault: dropout.fault, dropout: Self.key)
        #expect(r.worst > 1e-2, "skipping the \(dropout.name) mask in backward went unnoticed (worst \(r.worst))")
    }

    /// PyTorch's GRU with b_hh through every dropout path (weight drop masks its W_hh), and
    /// skipping the mask fails the check.
    @Test(arguments: cases)
    func pytorchGRUMatchesFiniteDifferences(dropout: Case) throws {
        var c = Self.config(.gru, dropout.dropout)
        c.gruVariant = .pytorch
        c.recurrentBias = true
        let r = try GradientCheckTests.check(c, dropout: Self.key)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
        let broken = try GradientCheckTests.check(c, fault: dropout.fault, dropout: Self.key)
        #expect(broken.worst > 1e-2, "skipping the \(dropout.name) mask in backward went unnoticed (worst \(broken.worst))")
    }

    /// Output and weight drop on one-hot input, one layer (d2l's model with --dropout).
    @Test(arguments: CellRegistry.kinds)
    func oneHotInputWithOutputAndWeightDrop(kind: ModelConfig.Kind) throws {
        var c = ModelConfig(kind: kind, vocabularySize: 5, hiddenSize: 4, initialization: .uniform(bound: 0.6))
        c.dropout = Dropout(output: 0.5, weightDrop: 0.5)
        let r = try GradientCheckTests.check(c, dropout: Self.key)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }
}
