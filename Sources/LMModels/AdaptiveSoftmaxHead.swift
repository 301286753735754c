import LMSettings
import LMTensor

/// The adaptive softmax head of a ``RecurrentLM`` (Grave et al. 2017, "Efficient softmax
/// approximation for GPUs"; PyTorch's `nn.AdaptiveLogSoftmaxWithLoss` with its defaults):
/// frequent tokens in a head, rarer ones in clusters behind narrower projections
/// (``ModelConfig/AdaptiveSoftmax``).
///
/// With shortlist c_1 and clusters i = 0..<n (ids s_i..<e_i, projection width d_i):
/// head logits z = h · W_head (c_1 + n per row), cluster logits u_i = (h · P_i) · W_i
/// (e_i − s_i per row), and the model's distribution is
/// log p(w) = log softmax(z)[w] for w < c_1, log softmax(z)[c_1 + i] + log softmax(u_i)[w − s_i]
/// for w in cluster i. It sums to 1 over the V tokens: the loss is the exact −log p(target),
/// and ``logProbabilities()`` gives all V values of a row.
///
/// Training: the head product runs over all T·B rows; each cluster's rows (those whose
/// target falls in it) are gathered into one contiguous block, so a cluster costs one
/// projection GEMM and one output GEMM over its rows only, forward and backward, and the
/// hidden gradient gets the cluster terms scattered back. Loss: mean over the T·B rows of
/// −log p(target), nats, as the dense head's.
///
/// Parameters (input × output, as `output.W_hq`): `output.head.W` H × (c_1 + n),
/// `output.tail.<i>.proj` H × d_i, `output.tail.<i>.W` d_i × (e_i − s_i); no biases.
///
/// Buffers are allocated once per window shape (rows T·B); clusters share packed blocks
/// whose sizes are bounded by T·B rows of the widest cluster, so no step allocates.
public final class AdaptiveSoftmaxHead<Scalar: TensorScalar>: NetworkHead {
    /// Hidden width H.
    public let inputSize: Int
    /// Vocabulary size V.
    public let outputSize: Int
    /// The settings the head was built from.
    public let settings: ModelConfig.AdaptiveSoftmax
    /// `output.head.W`, H × (c_1 + n).
    public let head: Parameter<Scalar>
    /// `output.tail.<i>.proj`, H × d_i.
    public let projections: [Parameter<Scalar>]
    /// `output.tail.<i>.W`, d_i × (e_i − s_i).
    public let clusterWeights: [Parameter<Scalar>]
    /// Cluster i's token ids.
    public let clusters: [Range<Int>]
    /// c_1: the ids the head scores directly.
    public var shortlistSize: Int { settings.cutoffs[0] }
    /// c_1 + n logits per row.
    public var headSize: Int { head.cols }
    /// Test hook: ``BackwardFault/dropAdaptiveClusterTerm`` leaves the clusters' part out of ∂hidden.
    var fault = BackwardFault.none

    private(set) var rows = 0
    /// The last forward's hidden rows (the network's buffer, valid until its next forward).
    private var hidden: UnsafePointer<Scalar>?
    private var headLogits = Buffer<Scalar>(count: 0)
    private var headGradient = Buffer<Scalar>(count: 0)
    /// Gathered hidden rows per cluster (packed, cluster after cluster), and their gradients.
    private var gathered = Buffer<Scalar>(count: 0)
    private var gatheredGradient = Buffer<Scalar>(count: 0)
    /// Projections of the gathered rows (packed: m_i × d_i per cluster) and their gradients.
    private var projected = Buffer<Scalar>(count: 0)
    private var projectedGradient = Buffer<Scalar>(count: 0)
    /// Cluster logits of the gathered rows (packed: m_i × (e_i − s_i)) and their gradients
    /// (separate: the `Double` softmax kernel reads a target's logit after writing the row's gradient).
    private var clusterLogits = Buffer<Scalar>(count: 0)
    private var clusterGradient = Buffer<Scalar>(count: 0)
    /// Per row: the head's class (the token, or c_1 + cluster); per gathered row: the token
    /// inside its cluster; and which window row each gathered row came from.
    private var headTargets: [Int32] = []
    private var clusterTargets: [Int32] = []
    private var sourceRows: [Int] = []
    /// Per cluster: its first gathered row and its row count in the last loss.
    private var clusterStart: [Int], clusterCount: [Int], nextRow: [Int]
    private var fullOutput = Buffer<Scalar>(count: 0)
    private var fullProjection = Buffer<Scalar>(count: 0)

    /// The head `configuration.adaptiveSoftmax` describes (which must be set and valid), zero-initialised.
    public init(configuration: ModelConfig) {
        guard let settings = configuration.adaptiveSoftmax else {
            preconditionFailure("AdaptiveSoftmaxHead needs ModelConfig.adaptiveSoftmax")
        }
        let h = configuration.hiddenSize, v = configuration.vocabularySize
        inputSize = h
        outputSize = v
        self.settings = settings
        head = Parameter(name: "output.head.W", rows: h, cols: settings.headSize)
        let clusters = (0..<settings.clusterCount).map { settings.clusterRange($0, vocabularySize: v) }
        self.clusters = clusters
        projections = (0..<settings.clusterCount).map {
            Parameter(name: "output.tail.\($0).proj", rows: h, cols: settings.projectionSize($0, hiddenSize: h))
        }
        clusterWeights = (0..<settings.clusterCount).map {
            Parameter(name: "output.tail.\($0).W", rows: settings.projectionSize($0, hiddenSize: h), cols: clusters[$0].count)
        }
        clusterStart = [Int](repeating: 0, count: settings.clusterCount)
        clusterCount = clusterStart
        nextRow = clusterStart
    }

    /// The head, then per cluster its projection and its output map.
    public var parameters: [Parameter<Scalar>] {
        [head] + zip(projections, clusterWeights).flatMap { [$0, $1] }
    }

    /// A cluster map reads its projection's d_i values per row (`nn.Linear`'s fan-in);
    /// the head and the projections read H.
    public func fanIn(of parameter: Parameter<Scalar>) -> Int? {
        clusterWeights.contains { $0 === parameter } ? parameter.rows : inputSize
    }

    /// Throws unless `targets` are `steps × batch` ids in the vocabulary.
    public func validate(_ targets: [Int32], steps: Int, batch: Int) throws {
        try InputLayer<Scalar>.check(targets, steps: steps, batch: batch, vocabularySize: outputSize, what: "targets")
    }

    /// Head logits (T·B × (c_1 + n)) = hidden · W_head; keeps `hidden` for the clusters.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func forward(hidden: UnsafePointer<Scalar>, steps: Int, batch: Int) {
        let n = steps * batch
        if n != rows { allocate(rows: n) }
        self.hidden = hidden
        Scalar.gemm(transposeA: false, transposeB: false, m: n, n: headSize, k: inputSize, alpha: 1,
                    a: hidden, lda: inputSize, b: head.value.pointer, ldb: headSize, beta: 0, c: headLogits.pointer, ldc: headSize)
    }

    private func allocate(rows n: Int) {
        rows = n
        let widest = clusters.map(\.count).reduce(0, max), deepest = projections.map(\.cols).reduce(0, max)
        headLogits = Buffer(count: n * headSize)
        headGradient = Buffer(count: n * headSize)
        gathered = Buffer(count: n * inputSize)
        gatheredGradient = Buffer(count: n * inputSize)
        projected = Buffer(count: n * deepest)
        projectedGradient = Buffer(count: n * deepest)
        clusterLogits = Buffer(count: n * widest)
        clusterGradient = Buffer(count: n * widest)
        headTargets = [Int32](repeating: 0, count: n)
        clusterTargets = [Int32](repeating: 0, count: n)
        sourceRows = [Int](repeating: 0, count: n)
        fullOutput = Buffer(count: 0)
    }

    /// Values the training buffers hold (what ``MemoryEstimate`` counts as the head).
    var workspaceCount: Int {
        [headLogits, headGradient, gathered, gatheredGradient, projected, projectedGradient, clusterLogits, clusterGradient].reduce(0) { $0 + $1.count }
    }

    /// Where cluster i's packed blocks start, for row counts `clusterCount`: (projections, logits).
    private func offsets(_ i: Int) -> (projection: Int, logits: Int) {
        var p = 0, l = 0
        for j in 0..<i { p += clusterCount[j] * projections[j].cols; l += clusterCount[j] * clusters[j].count }
        return (p, l)
    }

    /// Mean −log p(target) over the last forward's rows (nats); runs each cluster over the
    /// rows it holds the targets of and stores every gradient for ``backward(hidden:hiddenGradient:)``.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func loss(_ targets: [Int32]) -> Double {
        let n = rows, h = inputSize, c1 = shortlistSize, k = clusters.count
        guard n > 0, let hidden else { return 0 }
        // Group the rows by cluster (a counting sort, stable within a cluster).
        for i in 0..<k { clusterCount[i] = 0 }
        for r in 0..<n {
            let t = Int(targets[r])
            if t < c1 { headTargets[r] = Int32(t); continue }
            var i = 0
            while !clusters[i].contains(t) { i += 1 }
            headTargets[r] = Int32(c1 + i)
            clusterCount[i] += 1
        }
        var start = 0
        for i in 0..<k { clusterStart[i] = start; start += clusterCount[i] }
        for i in 0..<k { nextRow[i] = clusterStart[i] }
        for r in 0..<n {
            let t = Int(targets[r])
            guard t >= c1 else { continue }
            let i = Int(headTargets[r]) - c1, j = nextRow[i]
            nextRow[i] += 1
            sourceRows[j] = r
            clusterTargets[j] = Int32(t - clusters[i].lowerBound)
            (gathered.pointer + j * h).update(from: hidden + r * h, count: h)
        }
        let scale = 1 / Scalar(n)
        var sum = headTargets.withUnsafeBufferPointer {
            Scalar.softmaxCrossEntropy(logits: headLogits.pointer, rows: n, cols: headSize, targets: $0.baseAddress!,
                                       gradient: headGradient.pointer, columnSums: nil, scale: scale)
        }
        for i in 0..<k where clusterCount[i] > 0 {
            let m = clusterCount[i], d = projections[i].cols, s = clusters[i].count, o = offsets(i)
            let p = projected.pointer + o.projection, z = clusterLogits.pointer + o.logits
            Scalar.gemm(transposeA: false, transposeB: false, m: m, n: d, k: h, alpha: 1,
                        a: gathered.pointer + clusterStart[i] * h, lda: h, b: projections[i].value.pointer, ldb: d,
                        beta: 0, c: p, ldc: d)
            Scalar.gemm(transposeA: false, transposeB: false, m: m, n: s, k: d, alpha: 1,
                        a: p, lda: d, b: clusterWeights[i].value.pointer, ldb: s, beta: 0, c: z, ldc: s)
            sum += clusterTargets.withUnsafeBufferPointer {
                Scalar.softmaxCrossEntropy(logits: z, rows: m, cols: s, targets: $0.baseAddress! + clusterStart[i],
                                           gradient: clusterGradient.pointer + o.logits, columnSums: nil, scale: scale)
            }
        }
        return sum / Double(n)
    }

    /// Accumulates the head's, projections' and cluster maps' gradients and writes
    /// ∂loss/∂hidden (the head's term, then each cluster's scattered back to its rows).
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward(hidden: UnsafePointer<Scalar>, hiddenGradient: UnsafeMutablePointer<Scalar>) {
        let n = rows, h = inputSize, hs = headSize
        Scalar.gemm(transposeA: true, transposeB: false, m: h, n: hs, k: n, alpha: 1,
                    a: hidden, lda: h, b: headGradient.pointer, ldb: hs, beta: 1, c: head.gradient.pointer, ldc: hs)
        Scalar.gemm(transposeA: false, transposeB: true, m: n, n: h, k: hs, alpha: 1,
                    a: headGradient.pointer, lda: hs, b: head.value.pointer, ldb: hs, beta: 0, c: hiddenGradient, ldc: h)
        for i in 0..<clusters.count where clusterCount[i] > 0 {
            let m = clusterCount[i], d = projections[i].cols, s = clusters[i].count, o = offsets(i)
            let p = projected.pointer + o.projection, dz = clusterGradient.pointer + o.logits
            let dp = projectedGradient.pointer + o.projection
            let g = gathered.pointer + clusterStart[i] * h, dg = gatheredGradient.pointer + clusterStart[i] * h
            // dW_i += Pᵀ · dU;  dP = dU · W_iᵀ;  dP_i += Gᵀ · dP;  dG = dP · P_iᵀ.
            Scalar.gemm(transposeA: true, transposeB: false, m: d, n: s, k: m, alpha: 1,
                        a: p, lda: d, b: dz, ldb: s, beta: 1, c: clusterWeights[i].gradient.pointer, ldc: s)
            Scalar.gemm(transposeA: false, transposeB: true, m: m, n: d, k: s, alpha: 1,
                        a: dz, lda: s, b: clusterWeights[i].value.pointer, ldb: s, beta: 0, c: dp, ldc: d)
            Scalar.gemm(transposeA: true, transposeB: false, m: h, n: d, k: m, alpha: 1,
                        a: g, lda: h, b: dp, ldb: d, beta: 1, c: projections[i].gradient.pointer, ldc: d)
            Scalar.gemm(transposeA: false, transposeB: true, m: m, n: h, k: d, alpha: 1,
                        a: dp, lda: d, b: projections[i].value.pointer, ldb: d, beta: 0, c: dg, ldc: h)
        }
        guard fault != .dropAdaptiveClusterTerm else { return }
        let gathered = clusterStart.indices.reduce(0) { $0 + clusterCount[$1] }
        for j in 0..<gathered {
            let source = gatheredGradient.pointer + j * h, target = hiddenGradient + sourceRows[j] * h
            for x in 0..<h { target[x] += source[x] }
        }
    }

    /// All V log-probabilities of each row of the last forward, rows × V (t-major): the
    /// model's exact distribution, every cluster run over every row. Valid until the next forward.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func logProbabilities() -> UnsafeBufferPointer<Scalar> {
        let n = rows, h = inputSize, v = outputSize, hs = headSize, c1 = shortlistSize
        guard n > 0, let hidden else { return UnsafeBufferPointer(start: fullOutput.pointer, count: 0) }
        if fullOutput.count != n * v {
            fullOutput = Buffer(count: n * v)
            fullProjection = Buffer(count: n * projections.map(\.cols).reduce(0, max))
        }
        let out = fullOutput.pointer
        for r in 0..<n {
            let z = headLogits.pointer + r * hs, o = out + r * v
            let lse = Self.logSumExp(z, count: hs)
            for j in 0..<c1 { o[j] = z[j] - lse }
        }
        for (i, range) in clusters.enumerated() {
            let d = projections[i].cols, s = range.count, p = fullProjection.pointer
            Scalar.gemm(transposeA: false, transposeB: false, m: n, n: d, k: h, alpha: 1,
                        a: hidden, lda: h, b: projections[i].value.pointer, ldb: d, beta: 0, c: p, ldc: d)
            Scalar.gemm(transposeA: false, transposeB: false, m: n, n: s, k: d, alpha: 1,
                        a: p, lda: d, b: clusterWeights[i].value.pointer, ldb: s, beta: 0, c: out + range.lowerBound, ldc: v)
            for r in 0..<n {
                let z = headLogits.pointer + r * hs
                let clusterLogProbability = z[c1 + i] - Self.logSumExp(z, count: hs)
                let u = out + r * v + range.lowerBound
                let shift = clusterLogProbability - Self.logSumExp(UnsafePointer(u), count: s)
                for j in 0..<s { u[j] += shift }
            }
        }
        return UnsafeBufferPointer(start: fullOutput.pointer, count: n * v)
    }

    /// log Σ_j e^{x_j}, shifted by the maximum.
    static func logSumExp(_ x: UnsafePointer<Scalar>, count: Int) -> Scalar {
        var m = x[0]
        for j in 1..<count where x[j] > m { m = x[j] }
        var sum: Scalar = 0
        for j in 0..<count { sum += Scalar.exp(x[j] - m) }
        return m + Scalar.log(sum)
    }
}
