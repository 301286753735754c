import LMModels
import LMSettings
import LMTensor

/// An LMKit language model as a PyTorch state_dict of word_language_model's `RNNModel`
/// (`encoder` nn.Embedding → `rnn` nn.RNN/nn.GRU/nn.LSTM → `decoder` nn.Linear), and back.
///
/// Names and layouts, per layer k (G gate blocks of H, LMKit's `x · W`, PyTorch's `W · x`):
///
/// | LMKit | PyTorch |
/// |---|---|
/// | `embedding.W` V × E | `encoder.weight` V × E (one-hot models: the V × V identity) |
/// | `<kind>.<k>.W_xh` in × G·H | `rnn.weight_ih_l<k>` G·H × in (transposed) |
/// | `<kind>.<k>.W_hh` H × G·H | `rnn.weight_hh_l<k>` G·H × H (transposed) |
/// | `<kind>.<k>.b_h` G·H | `rnn.bias_ih_l<k>` G·H |
/// | `<kind>.<k>.b_hh` G·H (zeros without ``ModelConfig/recurrentBias``) | `rnn.bias_hh_l<k>` G·H |
/// | `output.W_hq` H × V (tied: `embedding.W`) | `decoder.weight` V × H (tied: a copy of `encoder.weight`) |
/// | `output.b_q` V | `decoder.bias` V |
///
/// Each cell kind's module and gate-block order are its definition's (``CellDefinition/pyTorch``):
/// LMKit's LSTM is [I | F | O | C̃], PyTorch's i, f, g, o (blocks 2 and 3 swap); the GRU's
/// [r | z | n] and the RNN's one block are in the same order on both sides. Only PyTorch's GRU
/// variant (``ModelConfig/GRUVariant/pytorch``) converts: d2l's is another model.
///
/// Import also reads d2l's concise models (`rnn.*` and `linear.weight`/`linear.bias`, one-hot
/// input without an `encoder`).
public enum PyTorchStateDict {
    /// The PyTorch module of `config`'s cells, with the kind's gate count, and its name
    /// (`RNN_TANH`, `RNN_RELU`, `GRU`, `LSTM`, as word_language_model's `--model`).
    /// - Throws: ``PyTorchStateDictError/noPyTorchModule(path:kind:)`` when PyTorch has none.
    static func pyTorchCell(of config: ModelConfig, path: String) throws -> (gates: Int, cell: PyTorchCell, module: String) {
        let definition = try CellRegistry.definition(of: config.kind)
        guard let cell = definition.pyTorch, let module = cell.modules[config.activation] else {
            throw PyTorchStateDictError.noPyTorchModule(path: path, kind: "\(config.kind.rawValue) (\(config.activation.rawValue))")
        }
        return (definition.gateCount, cell, module)
    }

    /// The kinds a PyTorch layer of `gates` gate blocks can be, in registry order.
    static func kinds(withGates gates: Int) -> [any CellDefinition.Type] {
        CellRegistry.definitions.filter { $0.pyTorch != nil && $0.gateCount == gates }
    }

    // MARK: - Export

    /// The state_dict of `model`, in `RNNModel`'s order. `path` names the run in errors.
    /// - Throws: ``PyTorchStateDictError/gruVariant(path:direction:)`` for d2l's GRU,
    ///   ``PyTorchStateDictError/adaptiveSoftmax(path:)`` for an adaptive softmax head,
    ///   ``PyTorchStateDictError/layerWidths(path:widths:)`` for layers of different widths.
    public static func tensors(of model: RecurrentLM<Float>, path: String) throws -> [SafeTensors.Tensor] {
        let config = model.config
        if config.adaptiveSoftmax != nil { throw PyTorchStateDictError.adaptiveSoftmax(path: path) }
        if case .perLayer = config.layerWidths {
            throw PyTorchStateDictError.layerWidths(path: path, widths: config.layerWidths.description)
        }
        if config.kind == .gru && config.gruVariant != .pytorch {
            throw PyTorchStateDictError.gruVariant(path: path, direction: .export)
        }
        let torch = try pyTorchCell(of: config, path: path)
        let v = config.vocabularySize, h = config.hiddenSize, g = torch.gates, order = torch.cell.blockOrder
        func value(_ name: String) -> [Float] { model.parameter(named: name)!.value.array }
        var out: [SafeTensors.Tensor] = []
        if let e = config.embeddingSize {
            out.append(.init(name: "encoder.weight", shape: [v, e], values: value("embedding.W")))
        } else {
            var identity = [Float](repeating: 0, count: v * v)
            for i in 0..<v { identity[i * v + i] = 1 }
            out.append(.init(name: "encoder.weight", shape: [v, v], values: identity))
        }
        for (k, cell) in model.cells.enumerated() {
            let prefix = "\(config.kind.rawValue).\(k)."
            let input = cell.inputSize
            out.append(.init(name: "rnn.weight_ih_l\(k)", shape: [g * h, input],
                             values: transposedToPyTorch(value(prefix + "W_xh"), rows: input, hidden: h, order: order)))
            out.append(.init(name: "rnn.weight_hh_l\(k)", shape: [g * h, h],
                             values: transposedToPyTorch(value(prefix + "W_hh"), rows: h, hidden: h, order: order)))
            out.append(.init(name: "rnn.bias_ih_l\(k)", shape: [g * h], values: permuted(value(prefix + "b_h"), hidden: h, order: order)))
            let second = model.parameter(named: prefix + "b_hh").map { permuted($0.value.array, hidden: h, order: order) }
            out.append(.init(name: "rnn.bias_hh_l\(k)", shape: [g * h], values: second ?? [Float](repeating: 0, count: g * h)))
        }
        if config.tied {
            out.append(.init(name: "decoder.weight", shape: [v, h], values: value("embedding.W")))
        } else {
            out.append(.init(name: "decoder.weight", shape: [v, h], values: transposed(value("output.W_hq"), rows: h, cols: v)))
        }
        out.append(.init(name: "decoder.bias", shape: [v], values: value("output.b_q")))
        return out
    }

    /// The file's metadata: `format` `pt` (as Hugging Face writes), and what the Python
    /// module needs to build the `RNNModel`: `rnn_type`, `tied`, `one_hot`. `path` names the run in errors.
    public static func metadata(for config: ModelConfig, path: String) throws -> [String: String] {
        ["format": "pt", "rnn_type": try pyTorchCell(of: config, path: path).module, "tied": config.tied ? "true" : "false",
         "one_hot": config.embeddingSize == nil ? "true" : "false", "producer": "lmkit lm-convert"]
    }

    // MARK: - Import

    /// The activation whose PyTorch module is `name` (`RNN_RELU` → relu, `RNN_TANH` → tanh), or nil
    /// when no registered cell's module has that name (`GRU`, `LSTM`: their cells have no choice).
    public static func activation(ofModule name: String) -> ModelConfig.Activation? {
        for definition in CellRegistry.definitions {
            if let match = definition.pyTorch?.modules.first(where: { $0.value == name }), definition.pyTorch?.modules.count ?? 0 > 1 {
                return match.key
            }
        }
        return nil
    }

    /// The model configuration the tensors of a state_dict describe, checked against what
    /// `given` states (see ``ImportConfiguration``). `path` names the file in errors.
    public static func modelConfig(for tensors: [SafeTensors.Tensor], given: ImportConfiguration = ImportConfiguration(),
                                   path: String, configPath: String = "convert.config") throws -> ModelConfig {
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        if let reverse = tensors.map(\.name).sorted().first(where: { $0.hasSuffix("_reverse") }) {
            throw PyTorchStateDictError.bidirectional(path: path, name: reverse)
        }
        if let projection = tensors.map(\.name).sorted().first(where: { $0.contains("weight_hr_l") }) {
            throw PyTorchStateDictError.projection(path: path, name: projection)
        }
        func shapeError(_ t: SafeTensors.Tensor, _ expected: String) -> PyTorchStateDictError {
            .shape(path: path, name: t.name, shape: t.shape, expected: expected)
        }
        func mismatch(_ field: String, _ config: String, _ tensors: String) -> PyTorchStateDictError {
            .configMismatch(path: configPath, field: field, config: config, tensors: tensors)
        }
        guard let hh0 = byName["rnn.weight_hh_l0"] else {
            throw PyTorchStateDictError.missingTensor(path: path, name: "rnn.weight_hh_l0",
                reason: "the first recurrent layer's weights; is this the state_dict of a model with its RNN in .rnn?")
        }
        guard hh0.shape.count == 2, hh0.shape[1] > 0, hh0.shape[0] % hh0.shape[1] == 0,
              let candidate = kinds(withGates: hh0.shape[0] / hh0.shape[1]).first else {
            let gates = CellRegistry.definitions.filter { $0.pyTorch != nil }.map { "\($0.gateCount) (\($0.kind.rawValue.uppercased()))" }
            throw shapeError(hh0, "G·H × H with G = " + CellRegistry.inWords(gates))
        }
        let h = hh0.shape[1], g = hh0.shape[0] / h
        let kind = given.kind.flatMap { stated in kinds(withGates: g).first { $0.kind == stated } }?.kind ?? candidate.kind
        if let stated = given.kind, stated != kind {
            throw mismatch("kind", stated.rawValue, "\(kind.rawValue) (rnn.weight_hh_l0 is \(hh0.shape[0]) × \(h): \(g) gate block\(g == 1 ? "" : "s"))")
        }
        var layers = 0
        while byName["rnn.weight_hh_l\(layers)"] != nil || byName["rnn.weight_ih_l\(layers)"] != nil { layers += 1 }
        let head = byName["decoder.weight"] != nil || byName["linear.weight"] == nil ? "decoder" : "linear"
        guard let decoder = byName[head + ".weight"] else {
            throw PyTorchStateDictError.missingTensor(path: path, name: "decoder.weight", reason: "the output layer, vocabulary × hidden")
        }
        guard decoder.shape.count == 2, decoder.shape[1] == h, decoder.shape[0] > 0 else {
            throw shapeError(decoder, "vocabulary × \(h) (the hidden width of rnn.weight_hh_l0)")
        }
        let v = decoder.shape[0]
        var embedding: Int? = nil
        if let encoder = byName["encoder.weight"] {
            guard encoder.shape.count == 2, encoder.shape[0] == v, encoder.shape[1] > 0 else {
                throw shapeError(encoder, "\(v) × E (the vocabulary of \(head).weight)")
            }
            embedding = encoder.shape[1]
            let isIdentity = encoder.shape[1] == v && isIdentityMatrix(encoder.values, size: v)
            switch given.embeddingSize {
            case .some(.none):
                guard isIdentity else { throw PyTorchStateDictError.notOneHot(path: configPath) }
                embedding = nil
            case .some(.some(let stated)):
                if stated != encoder.shape[1] { throw mismatch("embeddingSize", "\(stated)", "\(encoder.shape[1]) (encoder.weight is \(v) × \(encoder.shape[1]))") }
            case .none:
                if isIdentity { embedding = nil }
            }
        } else if case .some(.some(let stated)) = given.embeddingSize {
            throw mismatch("embeddingSize", "\(stated)", "one-hot input (no encoder.weight)")
        }
        if let stated = given.vocabularySize, stated != v { throw mismatch("vocabularySize", "\(stated)", "\(v) (\(head).weight's rows)") }
        if let stated = given.hiddenSize, stated != h { throw mismatch("hiddenSize", "\(stated)", "\(h) (rnn.weight_hh_l0's columns)") }
        if let stated = given.layers, stated != layers { throw mismatch("layers", "\(stated)", "\(layers) (rnn.weight_hh_l0 … l\(layers - 1))") }
        if kind == .gru, let stated = given.gruVariant, stated != .pytorch {
            throw PyTorchStateDictError.gruVariant(path: configPath, direction: .import)
        }

        // Every tensor of an RNNModel with these sizes, with its shape.
        let firstInput = embedding ?? v
        var expected: [(String, [Int])] = []
        if byName["encoder.weight"] != nil { expected.append(("encoder.weight", [v, embedding ?? v])) }
        for k in 0..<layers {
            expected += [("rnn.weight_ih_l\(k)", [g * h, k == 0 ? firstInput : h]), ("rnn.weight_hh_l\(k)", [g * h, h]),
                         ("rnn.bias_ih_l\(k)", [g * h]), ("rnn.bias_hh_l\(k)", [g * h])]
        }
        expected += [(head + ".weight", [v, h]), (head + ".bias", [v])]
        for (name, shape) in expected {
            guard let tensor = byName[name] else {
                let reason = name.contains("bias") ? "LMKit's cells have biases; a model built with bias=False is not supported"
                    : "a \(layers)-layer \(kind.rawValue.uppercased()) of hidden width \(h) needs it"
                throw PyTorchStateDictError.missingTensor(path: path, name: name, reason: reason)
            }
            guard tensor.shape == shape else {
                let why = name.hasPrefix("rnn.weight_ih_l0") ? " (\(g) × \(h) gates by the input width \(firstInput))" : ""
                throw shapeError(tensor, "\(shape)\(why)")
            }
        }
        let names = Set(expected.map(\.0))
        if let extra = tensors.map(\.name).sorted().first(where: { !names.contains($0) }) {
            throw PyTorchStateDictError.unexpectedTensor(path: path, name: extra)
        }

        // The second bias: needed when any bias_hh is nonzero.
        let nonzero = (0..<layers).first { byName["rnn.bias_hh_l\($0)"]!.values.contains { $0 != 0 } }
        if given.recurrentBias == false, let k = nonzero {
            throw PyTorchStateDictError.recurrentBiasNeeded(path: configPath, name: "rnn.bias_hh_l\(k)")
        }
        let recurrentBias = given.recurrentBias ?? (nonzero != nil)

        // Tied: the decoder is the encoder.
        let encoderValues = byName["encoder.weight"]?.values
        let same = embedding == h && encoderValues == decoder.values
        if given.tied == true && !same {
            let reason = embedding == nil ? "the model has one-hot input"
                : embedding != h ? "the embedding width \(embedding!) differs from the hidden width \(h)"
                : "decoder.weight differs from encoder.weight"
            throw PyTorchStateDictError.notTied(path: configPath, reason: reason)
        }

        var config = ModelConfig(kind: kind, activation: given.activation ?? .tanh, vocabularySize: v, embeddingSize: embedding,
                                 hiddenSize: h, layers: layers, initialization: given.initialization ?? .pytorch)
        config.tied = given.tied ?? same
        config.recurrentBias = recurrentBias
        config.embeddingInitialization = given.embeddingInitialization
        config.outputInitialization = given.outputInitialization
        config.forgetBias = given.forgetBias
        config.dropout = given.dropout ?? .off
        if kind == .gru { config.gruVariant = .pytorch }
        do { try config.validate() } catch let error as ModelError {
            throw PyTorchStateDictError.badConfig(path: configPath, reason: error.description)
        }
        return config
    }

    /// The LMKit parameters (named and shaped as ``RecurrentLM/parameters``) of a state_dict
    /// that ``modelConfig(for:given:path:configPath:)`` accepted for `config`. `path` names the file in errors.
    public static func lmkitTensors(from tensors: [SafeTensors.Tensor], config: ModelConfig, path: String) throws -> [SafeTensors.Tensor] {
        let byName = Dictionary(tensors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let head = byName["decoder.weight"] != nil ? "decoder" : "linear"
        let torch = try pyTorchCell(of: config, path: path)
        let v = config.vocabularySize, h = config.hiddenSize, g = torch.gates, order = torch.cell.blockOrder
        let inverse = inverted(order)
        var out: [SafeTensors.Tensor] = []
        if let e = config.embeddingSize {
            out.append(.init(name: "embedding.W", shape: [v, e], values: byName["encoder.weight"]!.values))
        }
        for k in 0..<config.layers {
            let prefix = "\(config.kind.rawValue).\(k)."
            let input = k == 0 ? (config.embeddingSize ?? v) : h
            out.append(.init(name: prefix + "W_xh", shape: [input, g * h],
                             values: transposedFromPyTorch(byName["rnn.weight_ih_l\(k)"]!.values, rows: input, hidden: h, order: order)))
            out.append(.init(name: prefix + "W_hh", shape: [h, g * h],
                             values: transposedFromPyTorch(byName["rnn.weight_hh_l\(k)"]!.values, rows: h, hidden: h, order: order)))
            out.append(.init(name: prefix + "b_h", shape: [g * h], values: permuted(byName["rnn.bias_ih_l\(k)"]!.values, hidden: h, order: inverse)))
            if config.recurrentBias {
                out.append(.init(name: prefix + "b_hh", shape: [g * h], values: permuted(byName["rnn.bias_hh_l\(k)"]!.values, hidden: h, order: inverse)))
            }
        }
        if !config.tied {
            out.append(.init(name: "output.W_hq", shape: [h, v], values: transposed(byName[head + ".weight"]!.values, rows: v, cols: h)))
        }
        out.append(.init(name: "output.b_q", shape: [v], values: byName[head + ".bias"]!.values))
        return out
    }

    // MARK: - Layouts

    /// Whether `values` (size × size, row-major) is the identity.
    static func isIdentityMatrix(_ values: [Float], size: Int) -> Bool {
        for i in 0..<size { for j in 0..<size where values[i * size + j] != (i == j ? 1 : 0) { return false } }
        return true
    }

    /// `rows × cols` row-major → its transpose, `cols × rows`.
    static func transposed(_ values: [Float], rows: Int, cols: Int) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = values[r * cols + c] } }
        return out
    }

    /// LMKit's `rows × G·H` (blocks in LMKit's order) → PyTorch's `G·H × rows` (blocks in
    /// PyTorch's): PyTorch row `b·H + j` is LMKit column `order[b]·H + j`.
    static func transposedToPyTorch(_ values: [Float], rows: Int, hidden: Int, order: [Int]) -> [Float] {
        let width = order.count * hidden
        var out = [Float](repeating: 0, count: values.count)
        for (b, source) in order.enumerated() {
            for j in 0..<hidden {
                let row = (b * hidden + j) * rows, column = source * hidden + j
                for k in 0..<rows { out[row + k] = values[k * width + column] }
            }
        }
        return out
    }

    /// The inverse of ``transposedToPyTorch(_:rows:hidden:order:)``.
    static func transposedFromPyTorch(_ values: [Float], rows: Int, hidden: Int, order: [Int]) -> [Float] {
        let width = order.count * hidden
        var out = [Float](repeating: 0, count: values.count)
        for (b, target) in order.enumerated() {
            for j in 0..<hidden {
                let row = (b * hidden + j) * rows, column = target * hidden + j
                for k in 0..<rows { out[k * width + column] = values[row + k] }
            }
        }
        return out
    }

    /// The permutation that undoes `order`: `inverted(order)[order[b]] == b`.
    static func inverted(_ order: [Int]) -> [Int] {
        var inverse = order
        for (b, source) in order.enumerated() { inverse[source] = b }
        return inverse
    }

    /// A G·H bias with its blocks reordered: block b of the result is block `order[b]`
    /// (LMKit → PyTorch with a kind's block order, back with its ``inverted(_:)``).
    static func permuted(_ values: [Float], hidden: Int, order: [Int]) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for (b, source) in order.enumerated() {
            for j in 0..<hidden { out[b * hidden + j] = values[source * hidden + j] }
        }
        return out
    }
}
