import Foundation
@testable import LMModelFiles
import LMModels
import LMSettings
import Testing

/// The PyTorch layouts: every architecture LMKit can export (every registered kind with a
/// PyTorch module) comes back from its state_dict as the same configuration and the same
/// tensors, value for value, and the gate blocks land where PyTorch's cells read them.
@Suite struct PyTorchStateDictTests {
    /// A model of `config` with nonzero random weights.
    func model(_ config: ModelConfig) throws -> RecurrentLM<Float> {
        var c = config
        c.initialization = .uniform(bound: 0.5)
        var generator = Mutations(seed: 7)
        return try RecurrentLM<Float>(config: c, using: &generator)
    }

    static var architectures: [ModelConfig] {
        var all: [ModelConfig] = []
        for kind in CellRegistry.definitions.filter({ $0.pyTorch != nil }).map({ $0.kind }) {
            for layers in [1, 2] {
                for (embedding, tied) in [(nil, false), (5, false), (4, true)] as [(Int?, Bool)] {
                    for recurrentBias in [false, true] {
                        var c = ModelConfig(kind: kind, vocabularySize: 7, embeddingSize: embedding, hiddenSize: 4, layers: layers)
                        c.tied = tied
                        c.recurrentBias = recurrentBias
                        if kind == .gru { c.gruVariant = .pytorch }
                        all.append(c)
                    }
                }
            }
        }
        return all
    }

    @Test(arguments: architectures) func stateDictComesBackAsTheSameModel(_ config: ModelConfig) throws {
        let m = try model(config)
        let state = try PyTorchStateDict.tensors(of: m, path: "run")
        var expectedNames = ["encoder.weight", "decoder.weight", "decoder.bias"]
        for k in 0..<config.layers { expectedNames += ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map { "rnn.\($0)_l\(k)" } }
        #expect(state.map(\.name).sorted() == expectedNames.sorted())
        var inferred = try PyTorchStateDict.modelConfig(for: state, path: "s")
        #expect(inferred.initialization == .pytorch)
        inferred.initialization = m.config.initialization
        #expect(inferred == m.config)
        #expect(try PyTorchStateDict.lmkitTensors(from: state, config: inferred, path: "s") == RunDirectory.tensors(of: m))
    }

    /// An exported file's `rnn_type` names the activation an import takes when none is given.
    @Test func rnnTypeNamesTheActivation() {
        #expect(PyTorchStateDict.activation(ofModule: "RNN_RELU") == .relu)
        #expect(PyTorchStateDict.activation(ofModule: "RNN_TANH") == .tanh)
        #expect(PyTorchStateDict.activation(ofModule: "LSTM") == nil && PyTorchStateDict.activation(ofModule: "GRU") == nil)
        #expect(PyTorchStateDict.activation(ofModule: "Transformer") == nil)
    }

    @Test func lstmGatesLandInPyTorchsOrder() throws {
        let m = try model(ModelConfig(kind: .lstm, vocabularySize: 3, embeddingSize: 2, hiddenSize: 2))
        let h = 2, w = 4 * h
        // Mark LMKit's blocks I F O C̃ (columns b·H … b·H + 1) in W_xh row 0 and in b_h.
        let wxh = m.parameter(named: "lstm.0.W_xh")!, bh = m.parameter(named: "lstm.0.b_h")!
        for block in 0..<4 { for j in 0..<h { wxh.value[block * h + j] = Float(10 * block + j); bh.value[block * h + j] = Float(10 * block + j) } }
        let state = Dictionary(uniqueKeysWithValues: try PyTorchStateDict.tensors(of: m, path: "run").map { ($0.name, $0) })
        // PyTorch's i, f, g, o = LMKit's I, F, C̃, O; weight_ih is (4H × E), row r column 0.
        for (pytorch, lmkit) in [(0, 0), (1, 1), (2, 3), (3, 2)] {
            for j in 0..<h {
                #expect(state["rnn.weight_ih_l0"]!.values[(pytorch * h + j) * 2] == Float(10 * lmkit + j))
                #expect(state["rnn.bias_ih_l0"]!.values[pytorch * h + j] == Float(10 * lmkit + j))
            }
        }
        #expect(state["rnn.weight_ih_l0"]!.shape == [w, 2])
    }

    @Test func d2lConciseModelsImportAsOneHot() throws {
        // d2l's RNNModel: rnn.* and linear.*, one-hot input (no encoder).
        let v = 5, h = 3
        func tensor(_ name: String, _ shape: [Int]) -> SafeTensors.Tensor {
            SafeTensors.Tensor(name: name, shape: shape, values: (0..<shape.reduce(1, *)).map { Float($0 % 7) / 8 })
        }
        let state = [tensor("rnn.weight_ih_l0", [h, v]), tensor("rnn.weight_hh_l0", [h, h]), tensor("rnn.bias_ih_l0", [h]),
                     tensor("rnn.bias_hh_l0", [h]), tensor("linear.weight", [v, h]), tensor("linear.bias", [v])]
        let config = try PyTorchStateDict.modelConfig(for: state, path: "s")
        #expect(config.kind == .rnn && config.embeddingSize == nil && config.vocabularySize == v && config.recurrentBias)
        let lmkit = try PyTorchStateDict.lmkitTensors(from: state, config: config, path: "s")
        #expect(lmkit.map(\.name) == ["rnn.0.W_xh", "rnn.0.W_hh", "rnn.0.b_h", "rnn.0.b_hh", "output.W_hq", "output.b_q"])
        #expect(lmkit[0].shape == [v, h] && lmkit[0].values == PyTorchStateDict.transposed(state[0].values, rows: h, cols: v))
    }

    /// A recurrent weight whose gate count no registered kind with a PyTorch module has is
    /// refused, listing the kinds by gate count; a stated kind picks among those of its count.
    @Test func theGateCountNamesTheKind() throws {
        let h = 4, v = 5
        func state(gates g: Int) -> [SafeTensors.Tensor] {
            [("rnn.weight_ih_l0", [g * h, v]), ("rnn.weight_hh_l0", [g * h, h]), ("rnn.bias_ih_l0", [g * h]),
             ("rnn.bias_hh_l0", [g * h]), ("decoder.weight", [v, h]), ("decoder.bias", [v])].map {
                SafeTensors.Tensor(name: $0.0, shape: $0.1, values: [Float](repeating: 0.25, count: $0.1.reduce(1, *)))
            }
        }
        #expect(throws: PyTorchStateDictError.shape(path: "s", name: "rnn.weight_hh_l0", shape: [2 * h, h],
                                                     expected: "G·H × H with G = 1 (RNN), 3 (GRU) or 4 (LSTM)")) {
            try PyTorchStateDict.modelConfig(for: state(gates: 2), path: "s")
        }
        for definition in CellRegistry.definitions where definition.pyTorch != nil {
            let config = try PyTorchStateDict.modelConfig(for: state(gates: definition.gateCount), path: "s")
            #expect(config.kind == definition.kind)
        }
    }

    @Test func d2lGRUIsNotExported() throws {
        let m = try model(ModelConfig(kind: .gru, vocabularySize: 3, hiddenSize: 2))
        #expect(throws: PyTorchStateDictError.gruVariant(path: "run", direction: .export)) {
            try PyTorchStateDict.tensors(of: m, path: "run")
        }
    }

    /// One nn.LSTM has one width: a model with layers of different widths is refused in one
    /// line naming the run and the widths.
    @Test func unequalLayerWidthsAreNotExported() throws {
        var c = ModelConfig(kind: .lstm, vocabularySize: 3, embeddingSize: 2, hiddenSize: 1, layers: 2)
        c.layerWidths = .perLayer([4, 2])
        let m = try model(c)
        #expect(throws: PyTorchStateDictError.layerWidths(path: "run", widths: "4,2")) {
            try PyTorchStateDict.tensors(of: m, path: "run")
        }
        #expect(PyTorchStateDictError.layerWidths(path: "run", widths: "4,2").description.hasPrefix(
            "run: this model's layers have different widths (hiddenSize 4,2 in config.json)"))
    }

    @Test func halfPrecisionTensorsAreWidenedExactly() throws {
        // One F16 tensor [1, -2.5, 65504] and one BF16 tensor [1, -0.5] in a hand-made file.
        let f16: [UInt16] = [0x3C00, 0xC100, 0x7BFF], bf16: [UInt16] = [0x3F80, 0xBF00]
        var header = #"{"a":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]}}"#
        while header.utf8.count % 8 != 0 { header += " " }
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(Data(header.utf8))
        for bits in f16 + bf16 { withUnsafeBytes(of: bits.littleEndian) { data.append(contentsOf: $0) } }
        let decoded = try SafeTensors.decode(data, path: "h", widening: true)
        #expect(decoded.tensors.map(\.values) == [[1, -2.5, 65504], [1, -0.5]])
        #expect(decoded.widened == ["a", "b"])
        // Without widening (the run loader), half tensors are refused: either one is named first.
        #expect { try SafeTensors.decode(data, path: "h") } throws: { error in
            ["tensor a has dtype F16; LMKit reads F32", "tensor b has dtype BF16; LMKit reads F32"]
                .map { ModelFileError.badSafeTensors(path: "h", reason: $0) }.contains(error as? ModelFileError)
        }
    }
}
