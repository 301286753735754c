@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// Gradient checks in the way of the binary-addition tutorial: every parameter element is
/// nudged by ±ε, the loss recomputed, and the central difference compared with the
/// analytic gradient, here in Double through the very code that trains in Float.
///
/// The plain two-point difference (L(θ+ε) − L(θ−ε)) / 2ε has an absolute error of about
/// 1e-10 here (round-off ~1e-16·L/ε plus truncation ~ε²), which is already a 1e-4 relative
/// error on the many gradient entries near 1e-6. So the check uses the fourth-order central
/// difference (8[L(θ+ε) − L(θ−ε)] − [L(θ+2ε) − L(θ−2ε)]) / 12ε with ε = 1e-3 (absolute
/// error ~1e-13), and relative error |a − n| / max(|a|, |n|, 1e-7) must stay below 1e-5 for
/// every element of every parameter.
@Suite struct GradientCheckTests {
    struct Result { var worst: Double; var name: String; var checked: Int }

    /// Relative error |a − n| / max(|a|, |n|, floor): the floor keeps round-off on
    /// near-zero gradients (~1e-10 absolute with ε = 1e-6) from counting as relative error.
    static func relativeError(_ a: Double, _ n: Double) -> Double {
        abs(a - n) / max(abs(a), abs(n), 1e-7)
    }

    /// With `dropout`, every forward uses that key: the masks are fixed, so the loss is a
    /// smooth function of the weights and the check covers the masked paths. `targets`
    /// replaces the checked window's random targets.
    static func check(_ config: ModelConfig, fault: BackwardFault = .none, steps: Int = 4, batch: Int = 2, seed: UInt64 = 42,
                      dropout: DropoutKey? = nil, targets fixedTargets: [Int32]? = nil) throws -> Result {
        WorkerPool.shared.elementThreshold = 0  // the same code paths as full-size training
        var rng = SplitMix64(seed: seed)
        let model = try RecurrentLM<Double>(config: config, using: &rng)
        model.injectFault(fault)
        let n = steps * batch, v = config.vocabularySize
        // A first window gives a non-zero carried-in state, so the t = 0 terms are exercised.
        try model.forward(inputs: randomTokens(n, vocabulary: v, &rng), targets: randomTokens(n, vocabulary: v, &rng), steps: steps, batch: batch, dropout: dropout)
        let state = model.state
        let inputs = randomTokens(n, vocabulary: v, &rng), drawn = randomTokens(n, vocabulary: v, &rng)
        let targets = fixedTargets ?? drawn
        model.zeroGradients()
        try model.forward(inputs: inputs, targets: targets, steps: steps, batch: batch, dropout: dropout)
        try model.backward()
        let eps = 1e-3
        func loss(at value: Double, _ p: Parameter<Double>, _ i: Int) throws -> Double {
            p.value[i] = value
            try model.setState(state)
            // The objective the backward differentiates: the head's loss plus AR/TAR (0 when off).
            return try model.forward(inputs: inputs, targets: targets, steps: steps, batch: batch, dropout: dropout)
                + model.activationRegularizationLoss
        }
        var result = Result(worst: 0, name: "", checked: 0)
        for p in model.parameters {
            let analytic = p.gradient.array
            for i in 0..<p.count {
                let saved = p.value[i]
                let d1 = try loss(at: saved + eps, p, i) - loss(at: saved - eps, p, i)
                let d2 = try loss(at: saved + 2 * eps, p, i) - loss(at: saved - 2 * eps, p, i)
                p.value[i] = saved
                let numeric = (8 * d1 - d2) / (12 * eps)
                let e = relativeError(analytic[i], numeric)
                if e > result.worst { result.worst = e; result.name = "\(p.name)[\(i)] analytic \(analytic[i]) numeric \(numeric)" }
                result.checked += 1
            }
        }
        return result
    }

    static let configurations: [ModelConfig] = {
        var all: [ModelConfig] = []
        for kind in CellRegistry.kinds {
            for layers in [1, 2] {
                for embedding in [nil, 3] as [Int?] {
                    all.append(ModelConfig(kind: kind, vocabularySize: 5, embeddingSize: embedding, hiddenSize: 4,
                                           layers: layers, initialization: .uniform(bound: 0.6)))
                }
            }
        }
        all.append(ModelConfig(kind: .rnn, activation: .relu, vocabularySize: 5, hiddenSize: 4, layers: 2,
                               initialization: .uniform(bound: 0.6)))
        return all
    }()

    @Test(arguments: configurations)
    func analyticMatchesFiniteDifferences(config: ModelConfig) throws {
        let r = try Self.check(config)
        #expect(r.checked > 0)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }

    /// 20 units: a time step split across the pool by units (``RecurrentStep``) runs parts of
    /// 16 and 4 units, forward and backward, in every cell kind and PyTorch's GRU.
    static let unitSplitConfigurations: [ModelConfig] = {
        var all = CellRegistry.kinds.map {
            ModelConfig(kind: $0, vocabularySize: 5, embeddingSize: 3, hiddenSize: 20, layers: 1, initialization: .uniform(bound: 0.4))
        }
        var gru = all[all.firstIndex { $0.kind == .gru }!]
        gru.gruVariant = .pytorch
        gru.recurrentBias = true
        all.append(gru)
        return all
    }()

    @Test(arguments: unitSplitConfigurations)
    func aStepSplitByUnitsMatchesFiniteDifferences(config: ModelConfig) throws {
        let r = try Self.check(config, steps: 3)
        #expect(r.checked > 0)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }

    /// Tied weights (the head's dE += dLᵀ·H and the input's scatter-add, summed in one
    /// gradient) and two biases per gate, for every cell kind, one and two layers.
    static let tiedAndBiasConfigurations: [ModelConfig] = {
        var all: [ModelConfig] = []
        for kind in CellRegistry.kinds {
            for layers in [1, 2] {
                for (tied, recurrentBias, embedding) in [(true, false, 4), (true, true, 4), (false, true, nil)] as [(Bool, Bool, Int?)] {
                    var c = ModelConfig(kind: kind, vocabularySize: 5, embeddingSize: embedding, hiddenSize: 4,
                                        layers: layers, initialization: .uniform(bound: 0.6))
                    c.tied = tied
                    c.recurrentBias = recurrentBias
                    all.append(c)
                }
            }
        }
        return all
    }()

    @Test(arguments: tiedAndBiasConfigurations)
    func tiedWeightsAndTwoBiasesMatchFiniteDifferences(config: ModelConfig) throws {
        let r = try Self.check(config)
        #expect(r.checked > 0)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }

    /// Dropping either tied contribution, or b_hh's gradient, fails the check.
    @Test(arguments: CellRegistry.kinds, [BackwardFault.dropTiedHeadTerm, .dropTiedInputTerm, .dropRecurrentBiasGradient])
    func checkFailsWhenATiedOrBiasTermIsDropped(kind: ModelConfig.Kind, fault: BackwardFault) throws {
        var config = ModelConfig(kind: kind, vocabularySize: 5, embeddingSize: 4, hiddenSize: 4, layers: 1,
                                 initialization: .uniform(bound: 0.6))
        config.tied = true
        config.recurrentBias = true
        #expect(try Self.check(config).worst < 1e-5)
        let r = try Self.check(config, fault: fault)
        #expect(r.worst > 1e-2, "\(fault) went unnoticed (worst \(r.worst))")
    }

    /// PyTorch's GRU (reset gate after the recurrent product), one and two layers, one-hot
    /// and embedding input, with and without b_hh, and tied.
    static let pytorchGRUConfigurations: [ModelConfig] = {
        var all: [ModelConfig] = []
        for layers in [1, 2] {
            for embedding in [nil, 3] as [Int?] {
                for recurrentBias in [false, true] {
                    var c = ModelConfig(kind: .gru, vocabularySize: 5, embeddingSize: embedding, hiddenSize: 4,
                                        layers: layers, initialization: .uniform(bound: 0.6))
                    c.gruVariant = .pytorch
                    c.recurrentBias = recurrentBias
                    all.append(c)
                }
            }
        }
        var tied = ModelConfig(kind: .gru, vocabularySize: 5, embeddingSize: 4, hiddenSize: 4, layers: 2,
                               initialization: .uniform(bound: 0.6))
        tied.gruVariant = .pytorch
        tied.tied = true
        tied.recurrentBias = true
        all.append(tied)
        return all
    }()

    @Test(arguments: pytorchGRUConfigurations)
    func pytorchGRUMatchesFiniteDifferences(config: ModelConfig) throws {
        var rng = SplitMix64(seed: 1)
        #expect(try RecurrentLM<Double>(config: config, using: &rng).cells.allSatisfy { $0 is GRUResetAfterCell<Double> })
        let r = try Self.check(config)
        #expect(r.checked > 0)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }

    /// PyTorch's GRU with b_hh: dropping the recurrent term or b_hh's gradient, or giving
    /// b_hh's candidate block b_h's gradient (dN_pre, as if b_hn sat outside R ⊙ …), fails the check.
    @Test(arguments: [BackwardFault.dropRecurrentTerm, .dropRecurrentBiasGradient, .candidateBiasGradientWithoutReset],
          [nil, 3] as [Int?])
    func pytorchGRUCheckFailsWhenATermIsBroken(fault: BackwardFault, embedding: Int?) throws {
        var config = ModelConfig(kind: .gru, vocabularySize: 5, embeddingSize: embedding, hiddenSize: 4, layers: 1,
                                 initialization: .uniform(bound: 0.6))
        config.gruVariant = .pytorch
        config.recurrentBias = true
        #expect(try Self.check(config).worst < 1e-5)
        let r = try Self.check(config, fault: fault)
        #expect(r.worst > 1e-2, "\(fault) went unnoticed (worst \(r.worst))")
        if fault == .candidateBiasGradientWithoutReset {
            // Columns [2H, 3H) = [8, 12) of b_hh are the candidate block.
            #expect((8..<12).contains { r.name.hasPrefix("gru.0.b_hh[\($0)]") }, "worst error outside b_hh's candidate block: \(r.name)")
        }
    }

    @Test(arguments: CellRegistry.kinds)
    func checkFailsWhenARecurrentTermIsDropped(kind: ModelConfig.Kind) throws {
        let config = ModelConfig(kind: kind, vocabularySize: 5, hiddenSize: 4, layers: 1, initialization: .uniform(bound: 0.6))
        let r = try Self.check(config, fault: .dropRecurrentTerm)
        #expect(r.worst > 1e-2, "dropping dH_{t-1} += dG·W_hhᵀ went unnoticed (worst \(r.worst))")
    }
}

extension ModelConfig: CustomTestStringConvertible {
    public var testDescription: String {
        "\(kind.rawValue)\(activation == .relu ? "-relu" : "") layers=\(layers) input=\(embeddingSize.map { "embedding \($0)" } ?? "one-hot")"
            + (tied ? " tied" : "") + (recurrentBias ? " b_hh" : "") + (gruVariant == .pytorch ? " pytorch" : "")
    }
}
