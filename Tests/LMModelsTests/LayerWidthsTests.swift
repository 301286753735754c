@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// Layers of different widths (``ModelConfig/LayerWidths``, `--hidden 1150,1150,400`): each
/// layer is built as wide as its width and reads the one below, the gradients pass
/// ``GradientCheckTests``' finite-difference check (with a fault that bites), and the state,
/// memory estimate and FLOP count follow the widths.
@Suite struct LayerWidthsTests {
    static func config(_ kind: ModelConfig.Kind, widths: [Int], embedding: Int? = 3, tied: Bool = false,
                       dropout: Dropout = .off) -> ModelConfig {
        var c = ModelConfig(kind: kind, vocabularySize: 5, embeddingSize: embedding, hiddenSize: 1, layers: widths.count,
                            initialization: .uniform(bound: 0.6))
        c.layerWidths = .perLayer(widths)
        c.tied = tied
        c.dropout = dropout
        return c
    }

    static let configurations: [ModelConfig] = CellRegistry.kinds.flatMap { kind in
        [config(kind, widths: [5, 3], embedding: nil), config(kind, widths: [3, 6, 4]),
         config(kind, widths: [5, 3], tied: true)]
    }

    @Test(arguments: configurations)
    func analyticMatchesFiniteDifferences(config: ModelConfig) throws {
        let r = try GradientCheckTests.check(config)
        #expect(r.checked > 0)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }

    /// Every dropout place, masks as wide as the layer they drop, under one key.
    @Test(arguments: CellRegistry.kinds)
    func everyDropoutPlaceMatchesFiniteDifferences(kind: ModelConfig.Kind) throws {
        let c = Self.config(kind, widths: [5, 3], dropout: Dropout(input: 0.3, hidden: 0.3, output: 0.3, embedding: 0.2, weightDrop: 0.3))
        let r = try GradientCheckTests.check(c, dropout: DropoutGradientCheckTests.key)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }

    /// Dropping the recurrent term, or skipping the mask between two layers of different
    /// widths, fails the check.
    @Test(arguments: CellRegistry.kinds, [BackwardFault.dropRecurrentTerm, .skipHiddenMask])
    func checkFailsWhenATermIsBroken(kind: ModelConfig.Kind, fault: BackwardFault) throws {
        let c = Self.config(kind, widths: [5, 3], dropout: Dropout(hidden: 0.5))
        let r = try GradientCheckTests.check(c, fault: fault, dropout: DropoutGradientCheckTests.key)
        #expect(r.worst > 1e-2, "\(fault) went unnoticed (worst \(r.worst))")
    }

    /// Layer l's weights are in_l × G·H_l and H_l × G·H_l, in_l the layer below's width; the
    /// carried state is batch × H_l per layer; setting a state of other widths is refused.
    @Test(arguments: CellRegistry.kinds)
    func layersAndStatesTakeTheirOwnWidths(kind: ModelConfig.Kind) throws {
        var rng = SplitMix64(seed: 4)
        let model = try RecurrentLM<Double>(config: Self.config(kind, widths: [6, 2, 4]), using: &rng)
        let g = try CellRegistry.definition(of: kind).gateCount
        for (l, (input, h)) in [(3, 6), (6, 2), (2, 4)].enumerated() {
            let w = try #require(model.parameter(named: "\(kind.rawValue).\(l).W_xh"))
            let u = try #require(model.parameter(named: "\(kind.rawValue).\(l).W_hh"))
            #expect(w.rows == input && w.cols == g * h && u.rows == h && u.cols == g * h)
        }
        #expect(model.outputLayer.weight.rows == 4)
        try model.forward(inputs: [1, 2, 3, 4], targets: [2, 3, 4, 0], steps: 2, batch: 2)
        let state = model.state
        #expect(state.map(\.cols) == [6, 2, 4].flatMap { Array(repeating: $0, count: model.cells[0].stateCount) })
        try model.setState(state)
        let swapped = state.reversed().map { $0 }
        #expect(throws: ModelError.self) { try model.setState(swapped) }
    }

    /// PyTorch's initialisation draws each layer's weights from U(±1/√H_l) of its own width.
    @Test func pytorchInitializationFollowsEachLayersWidth() throws {
        var c = ModelConfig(kind: .lstm, vocabularySize: 5, embeddingSize: 4, hiddenSize: 1, layers: 2, initialization: .pytorch)
        c.layerWidths = .perLayer([16, 4])
        var rng = SplitMix64(seed: 5)
        let model = try RecurrentLM<Float>(config: c, using: &rng)
        func largest(_ name: String) throws -> Float { try #require(model.parameter(named: name)).value.array.map(abs).max() ?? 0 }
        #expect(try largest("lstm.0.W_hh") <= 0.25 && largest("lstm.1.W_xh") <= 0.5)
        #expect(try largest("lstm.1.W_xh") > 0.25)
    }

    /// The estimate equals a built model's buffers and parameters, tied or not.
    @Test(arguments: CellRegistry.kinds, [false, true])
    func theMemoryEstimateMatchesTheBuffers(kind: ModelConfig.Kind, tied: Bool) throws {
        var config = ModelConfig(kind: kind, vocabularySize: 11, embeddingSize: 5, hiddenSize: 1, layers: 3)
        config.layerWidths = .perLayer([7, 9, 5])
        config.tied = tied
        var rng = SplitMix64(seed: 6)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let values = try MemoryEstimateTests().allocatedValues(model, steps: 3, batch: 2, &rng)
        let estimate = try MemoryEstimate(config: config, steps: 3, batch: 2)
        #expect(estimate.parameterCount == model.parameterCount)
        #expect(estimate.total == values * 4)
    }

    /// Equal widths listed per layer cost what one width does; unequal ones count each layer's.
    @Test func flopsFollowTheWidths() throws {
        var listed = ModelConfig(kind: .lstm, vocabularySize: 28, embeddingSize: 8, hiddenSize: 16, layers: 2)
        let uniform = try listed.flopsPerToken
        listed.layerWidths = .perLayer([16, 16])
        #expect(try listed.flopsPerToken == uniform)
        listed.layerWidths = .perLayer([16, 8])
        let (e, v, g) = (8.0, 28.0, 4.0)
        func layer(_ input: Double, _ h: Double, inputGradient: Bool) -> Double {
            2 * input * g * h + 2 * h * g * h + 2 * input * g * h + 4 * h * g * h + (inputGradient ? 2 * input * g * h : 0)
        }
        let expected = 6 * 8 * v + layer(e, 16, inputGradient: true) + layer(16, 8, inputGradient: true)
        #expect(abs(try listed.flopsPerToken - expected) < 1e-6)
    }
}
