import Foundation
import LMData
@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// The adaptive softmax head (``AdaptiveSoftmaxHead``): pinned to PyTorch's
/// `nn.AdaptiveLogSoftmaxWithLoss`, its full distribution against its training loss,
/// finite differences through the model with a fault that the check must catch, the
/// configuration's JSON and checks, and the memory estimate.
@Suite struct AdaptiveSoftmaxTests {
    /// `nn.AdaptiveLogSoftmaxWithLoss(4, 10, cutoffs=[3, 6], div_value=2.0)` in float64 with
    /// fixed weights, printed by `bench/adaptive_softmax_reference.py` (torch 2.13), in
    /// LMKit's layouts (input × output).
    enum PyTorchReference {
        static let head: [Double] = [0.2659681859952056, 0.6560721361132884, 0.8748067512554784, 0.8650374520519049, 0.629316028489588, 0.8183676841431136, 0.5264254736025855, 0.09697828706949965, -0.35780011480928964, -0.7191193307936523, -0.4768525268176437, -0.791726183974503, -0.8997969879657101, -0.7728363023489365, -0.4440068954611005, -0.6954880388003889, -0.3224063540131443, 0.13488948869665712, 0.5569515199080354, 0.8335350186124733]
        static let projection0: [Double] = [0.8020866240552919, 0.8990472076557948, 0.3014893351403146, -0.1568941031006817, -0.8797771058985874, -0.8586173249118806, -0.07478046253574756, 0.37815033314397684]
        static let cluster0: [Double] = [0.6711346909590482, -0.49561698833787454, 0.2871885261144169, -0.6811222457771354, 0.8088372862304638, -0.8828426070598424]
        static let projection1: [Double] = [0.7768884299839863, -0.5506721018484471, -0.6349862930133527, 0.7143010774642374]
        static let cluster1: [Double] = [-0.1419711247289234, -0.8630318471968246, 0.3643649285549378, 0.7691390172794533]
        static let hidden: [Double] = [0.4900332889206208, 0.22679806071278866, -0.2080734182735712, -0.48547908257479533, -0.39548385595720825, -0.00619433173144528, 0.3877829392551251, 0.48829381286401174, 0.21927366378719518, -0.21568842248530962, -0.4874218107020818, -0.39028409008459186, 0.0022128489940253927, 0.39303514807051965, 0.48641628284871785, 0.21168727222533273, -0.2232424457061328, -0.4892267314094421, -0.38497398027103585, 0.010619404086823006, 0.39817623514596157, 0.48440122970360505, 0.20404103090669598, -0.23073335220795468]
        static let targets: [Int32] = [0, 2, 3, 5, 6, 9]
        static let logProbabilities: [Double] = [-1.3448673264374627, -1.3355218478180113, -1.5252532986253637, -2.7929006065594395, -2.9911522063892075, -3.1349853644647814, -3.6584298306012073, -3.68810534742942, -3.6375913857909996, -3.620932760647119, -1.8069264095334034, -1.8993269909435462, -1.801786145012518, -2.795953454045303, -2.732304711941661, -2.4269919309036045, -2.540609135408454, -2.395471263806389, -2.642526400902389, -2.724000884099963, -1.6515046736178967, -1.4951281541299202, -1.4803378523725719, -2.645651729103077, -2.5615552196143554, -2.965305673559304, -3.313488070981119, -3.54411976992886, -3.1515361845884318, -3.0220689526845135, -1.396360336749704, -1.584423675275329, -1.7084911763684052, -2.845932938856289, -3.0604101862966036, -2.6415897319869286, -3.0078634370188766, -2.739359474411282, -3.196409605852611, -3.347136782353684, -2.001887961224867, -1.8209697174593387, -1.6132428676191628, -2.628364508414278, -2.3277924643944337, -2.675203545119669, -2.7959944525864766, -3.046929130213596, -2.6197856114407445, -2.478921115149423, -1.2376604199588104, -1.3740769969634443, -1.622571097655882, -2.877368783497152, -3.2019725564359436, -2.9977053896094263, -3.53822728328842, -3.3566756776715856, -3.6657146371145295, -3.7676303058372813]
        static let loss = 2.499586615160624
    }

    static func config(vocabulary: Int, hidden: Int, embedding: Int? = nil, kind: ModelConfig.Kind = .lstm,
                       cutoffs: [Int], div: Double = 2, initialization: ModelConfig.Initialization = .uniform(bound: 0.6)) -> ModelConfig {
        var c = ModelConfig(kind: kind, vocabularySize: vocabulary, embeddingSize: embedding, hiddenSize: hidden,
                            initialization: initialization)
        c.adaptiveSoftmax = .init(cutoffs: cutoffs, divValue: div)
        return c
    }

    @Test func logProbabilitiesAndLossMatchPyTorch() throws {
        let head = AdaptiveSoftmaxHead<Double>(configuration: Self.config(vocabulary: 10, hidden: 4, cutoffs: [3, 6]))
        #expect(head.parameters.map(\.name) == ["output.head.W", "output.tail.0.proj", "output.tail.0.W",
                                                  "output.tail.1.proj", "output.tail.1.W"])
        #expect(head.parameters.map(\.shape) == [[4, 5], [4, 2], [2, 3], [4, 1], [1, 4]])
        typealias R = PyTorchReference
        for (p, values) in zip(head.parameters, [R.head, R.projection0, R.cluster0, R.projection1, R.cluster1]) {
            try p.value.assign(values)
        }
        let n = R.targets.count
        try R.hidden.withUnsafeBufferPointer { h in
            try head.validate(R.targets, steps: n, batch: 1)
            head.forward(hidden: h.baseAddress!, steps: n, batch: 1)
            #expect(abs(head.loss(R.targets) - R.loss) < 1e-13)
            let full = Array(head.logProbabilities())
            #expect(full.count == R.logProbabilities.count)
            let worst = zip(full, R.logProbabilities).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-13, "worst difference \(worst)")
        }
    }

    /// Every row of the full distribution sums to 1, and the training loss is the mean
    /// −log p(target) read from it, in Double and in Float, dense one-hot input and embeddings.
    @Test(arguments: [nil, 5] as [Int?])
    func trainingLossIsTheFullDistributionsMeanNegativeLogLikelihood(embedding: Int?) throws {
        let config = Self.config(vocabulary: 23, hidden: 8, embedding: embedding, cutoffs: [4, 9, 15])
        func check<T: TensorScalar>(_: T.Type, tolerance: Double) throws {
            var rng = SplitMix64(seed: 3)
            let model = try RecurrentLM<T>(config: config, using: &rng)
            let steps = 5, batch = 3, n = steps * batch
            let inputs = randomTokens(n, vocabulary: 23, &rng), targets = randomTokens(n, vocabulary: 23, &rng)
            let loss = try model.forward(inputs: inputs, targets: targets, steps: steps, batch: batch)
            let logits = model.logits
            #expect(logits.rows == n && logits.cols == 23)
            var sum = 0.0
            for r in 0..<n {
                let row = (0..<23).map { Double(logits.storage[r * 23 + $0]) }
                #expect(abs(row.reduce(0) { $0 + exp($1) } - 1) < tolerance)
                sum -= row[Int(targets[r])]
            }
            #expect(abs(sum / Double(n) - loss) < tolerance, "\(T.self): loss \(loss), full distribution \(sum / Double(n))")
            // A forward without targets (generation's) gives the same distribution.
            model.resetState()
            try model.forward(inputs: inputs, steps: steps, batch: batch)
            #expect(model.logits == logits)
        }
        try check(Double.self, tolerance: 1e-12)
        try check(Float.self, tolerance: 1e-5)
    }

    /// The evaluator's perplexity and `lm-eval --logits`'s rows come from the same exact
    /// distribution: at batch 1 the mean loss is the mean −log p(next) of the logits rows.
    @Test func evaluatorLossAndLogitsAgree() throws {
        let config = Self.config(vocabulary: 17, hidden: 8, embedding: 4, cutoffs: [5, 11], div: 2)
        var rng = SplitMix64(seed: 6)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let ids = randomTokens(40, vocabulary: 17, &rng)
        let stream = try TokenStream(ids: ids, vocabularySize: 17)
        let logits = try Evaluator.logits(model, on: stream, steps: 7)
        #expect(logits.count == 39 * 17)
        var sum = 0.0
        for r in 0..<39 {
            let row = logits[r * 17..<(r + 1) * 17].map(Double.init)
            #expect(abs(row.reduce(0) { $0 + exp($1) } - 1) < 1e-5)
            sum -= row[Int(ids[r + 1])]
        }
        let evaluated = try Evaluator.evaluate(model, on: stream, batch: 1, steps: 7)
        #expect(evaluated.tokens == 39)
        #expect(abs(evaluated.loss - sum / 39) < 1e-5)
    }

    /// Targets on the shortlist and in every cluster (V 12: shortlist 0..<3, clusters
    /// 3..<6, 6..<9, 9..<12), for each cell, one-hot and embedding input.
    static let checkedTargets: [Int32] = [0, 4, 7, 10, 2, 5, 8, 11]

    static let gradientConfigurations: [ModelConfig] = CellRegistry.kinds.flatMap { kind in
        [nil, 3].map { Self.config(vocabulary: 12, hidden: 8, embedding: $0, kind: kind, cutoffs: [3, 6, 9]) }
    }

    @Test(arguments: gradientConfigurations)
    func analyticMatchesFiniteDifferences(config: ModelConfig) throws {
        let r = try GradientCheckTests.check(config, targets: Self.checkedTargets)
        #expect(r.checked > 0)
        #expect(r.worst < 1e-5, "worst \(r.worst) at \(r.name)")
    }

    /// Leaving the clusters' terms out of ∂hidden fails the check.
    @Test func checkFailsWhenTheClusterTermIsDropped() throws {
        let config = Self.config(vocabulary: 12, hidden: 8, embedding: 3, cutoffs: [3, 6, 9])
        #expect(try GradientCheckTests.check(config, targets: Self.checkedTargets).worst < 1e-5)
        let r = try GradientCheckTests.check(config, fault: .dropAdaptiveClusterTerm, targets: Self.checkedTargets)
        #expect(r.worst > 1e-2, "dropping the clusters' ∂hidden went unnoticed (worst \(r.worst))")
    }

    /// The head alone: ∂loss/∂hidden and every head parameter against fourth-order
    /// differences (ε = 1e-3), with rows in the shortlist and every cluster.
    @Test func headGradientsMatchFiniteDifferences() throws {
        let config = Self.config(vocabulary: 12, hidden: 8, cutoffs: [3, 6, 9])
        var rng = SplitMix64(seed: 9)
        let head = AdaptiveSoftmaxHead<Double>(configuration: config)
        for p in head.parameters {
            try p.value.assign((0..<p.count).map { _ in Double.random(in: -0.8...0.8, using: &rng) })
        }
        let targets = Self.checkedTargets, n = targets.count, h = 8
        var hidden = (0..<n * h).map { _ in Double.random(in: -1...1, using: &rng) }
        func loss() -> Double {
            hidden.withUnsafeBufferPointer { head.forward(hidden: $0.baseAddress!, steps: n, batch: 1) }
            return head.loss(targets)
        }
        _ = loss()
        var hiddenGradient = [Double](repeating: 0, count: n * h)
        hidden.withUnsafeBufferPointer { x in
            hiddenGradient.withUnsafeMutableBufferPointer { head.backward(hidden: x.baseAddress!, hiddenGradient: $0.baseAddress!) }
        }
        let eps = 1e-3
        func numeric(_ set: (Double) -> Void, at x: Double) -> Double {
            set(x + eps); let a = loss(); set(x - eps); let b = loss()
            set(x + 2 * eps); let c = loss(); set(x - 2 * eps); let d = loss()
            set(x)
            return (8 * (a - b) - (c - d)) / (12 * eps)
        }
        var worst = 0.0, checked = 0
        for i in 0..<n * h {
            let x = hidden[i]
            worst = max(worst, GradientCheckTests.relativeError(hiddenGradient[i], numeric({ hidden[i] = $0 }, at: x)))
            checked += 1
        }
        for p in head.parameters {
            let analytic = p.gradient.array
            for i in 0..<p.count {
                worst = max(worst, GradientCheckTests.relativeError(analytic[i], numeric({ p.value[i] = $0 }, at: p.value[i])))
                checked += 1
            }
        }
        #expect(checked == n * h + head.parameters.reduce(0) { $0 + $1.count })
        #expect(worst < 1e-6, "worst \(worst)")
    }

    @Test func configurationDecodesWithoutTheKeyAndRoundTrips() throws {
        let old = #"{"kind":"lstm","vocabularySize":10,"hiddenSize":4}"#
        let decoded = try JSONDecoder().decode(ModelConfig.self, from: Data(old.utf8))
        #expect(decoded.adaptiveSoftmax == nil)
        #expect(!String(decoding: try JSONEncoder().encode(decoded), as: UTF8.self).contains("adaptive"))
        let config = Self.config(vocabulary: 10, hidden: 4, cutoffs: [3, 6], div: 4)
        let text = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(text.contains(#""adaptiveSoftmax":{"#))
        #expect(try JSONDecoder().decode(ModelConfig.self, from: Data(text.utf8)) == config)
        let short = #"{"kind":"lstm","vocabularySize":10,"hiddenSize":4,"adaptiveSoftmax":{"cutoffs":[5]}}"#
        #expect(try JSONDecoder().decode(ModelConfig.self, from: Data(short.utf8)).adaptiveSoftmax == .init(cutoffs: [5], divValue: 4))
    }

    @Test func badSettingsAreRefusedWithTheirReason() throws {
        func message(_ c: ModelConfig) -> String {
            do { try c.validate(); return "" } catch { return "\(error)" }
        }
        #expect(message(Self.config(vocabulary: 10, hidden: 4, cutoffs: [3, 6])) == "")
        #expect(message(Self.config(vocabulary: 10, hidden: 4, cutoffs: [6, 3])).contains("increase strictly"))
        #expect(message(Self.config(vocabulary: 10, hidden: 4, cutoffs: [3, 3])).contains("increase strictly"))
        #expect(message(Self.config(vocabulary: 10, hidden: 4, cutoffs: [0, 3])).contains("1..<10"))
        #expect(message(Self.config(vocabulary: 10, hidden: 4, cutoffs: [3, 10])).contains("1..<10"))
        #expect(message(Self.config(vocabulary: 10, hidden: 4, cutoffs: [])).contains("at least one cutoff"))
        #expect(message(Self.config(vocabulary: 10, hidden: 4, cutoffs: [3, 6], div: 0)).contains("positive"))
        #expect(message(Self.config(vocabulary: 10, hidden: 4, cutoffs: [3, 6], div: 4)).contains("cluster 1 would project"))
        var tied = Self.config(vocabulary: 10, hidden: 4, embedding: 4, cutoffs: [3, 6])
        tied.tied = true
        #expect(message(tied).contains("model.tied"))
    }

    /// PyTorch's initialisation: the head and projections U(±1/√H), each cluster map U(±1/√d_i).
    @Test func pytorchInitializationUsesEachLayersFanIn() throws {
        let config = Self.config(vocabulary: 600, hidden: 64, embedding: 8, cutoffs: [100, 300], div: 4, initialization: .pytorch)
        var rng = SplitMix64(seed: 4)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let head = try #require(model.outputLayer.adaptive)
        #expect(model.outputLayer.dense == nil && model.parameter(named: "output.W_hq") == nil)
        for p in [head.head] + head.projections + head.clusterWeights {
            let bound = Float(1 / Double(p === head.head || head.projections.contains { $0 === p } ? 64 : p.rows).squareRoot())
            let values = p.value.array
            #expect(values.allSatisfy { abs($0) <= bound }, "\(p.name) outside ±\(bound)")
            #expect(values.max()! > 0.9 * bound, "\(p.name) does not reach ±\(bound)")
        }
    }

    /// The estimate equals the buffers after a training window, parameters included.
    @Test(arguments: [nil, 5] as [Int?])
    func memoryEstimateMatchesTheBuffers(embedding: Int?) throws {
        let config = Self.config(vocabulary: 31, hidden: 9, embedding: embedding, kind: .gru, cutoffs: [5, 12, 20])
        var rng = SplitMix64(seed: 5)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let steps = 3, batch = 2
        var values = try MemoryEstimateTests().allocatedValues(model, steps: steps, batch: batch, &rng)
        values += try #require(model.outputLayer.adaptive).workspaceCount
        let estimate = try MemoryEstimate(config: config, steps: steps, batch: batch)
        #expect(estimate.parameterCount == model.parameterCount)
        #expect(estimate.total == values * 4)
    }
}
