import LMSettings
import LMTensor

/// How token ids enter the first recurrent layer of a ``RecurrentLM``.
///
/// One-hot input has no parameters of its own: the first layer gathers rows of its W_xh
/// (see ``CellInput/tokens(_:)``). An embedding gathers rows of `embedding.W`
/// (vocabulary × E) into a T·B × E buffer, and scatters the input gradient back into them.
public final class InputLayer<Scalar: TensorScalar>: NetworkInput {
    /// Embedding width, or nil for one-hot input.
    public let embeddingSize: Int?
    /// Vocabulary size.
    public let vocabularySize: Int
    /// `embedding.W` (vocabulary × E), or nil for one-hot input.
    public let embedding: Parameter<Scalar>?
    /// The last window's token ids, t-major.
    private var ids: [Int32] = []
    /// The last window's distinct ids, ascending (the embedding rows its backward writes).
    private var distinctIDs: [Int] = []
    /// One bit per vocabulary row, for finding ``distinctIDs`` without sorting; all clear
    /// between windows.
    private var seen: [UInt64] = []
    private var rows = 0
    private(set) var embedded = Buffer<Scalar>(count: 0)
    private(set) var gradients = Buffer<Scalar>(count: 0)
    /// Embedding dropout: each vocabulary row's scale (0 or 1/(1 − p)) for the window, when on.
    private(set) var rowScales: Buffer<Scalar>? = nil
    private var dropsRows = false

    /// An input layer: one-hot when `embeddingSize` is nil.
    public init(vocabularySize: Int, embeddingSize: Int?) {
        self.vocabularySize = vocabularySize
        self.embeddingSize = embeddingSize
        embedding = embeddingSize.map { Parameter(name: "embedding.W", rows: vocabularySize, cols: $0) }
    }

    /// The input layer `configuration` describes (vocabulary and embedding width).
    public convenience init(configuration: ModelConfig) {
        self.init(vocabularySize: configuration.vocabularySize, embeddingSize: configuration.embeddingSize)
    }

    /// Width of the rows the first recurrent layer reads.
    public var outputSize: Int { embeddingSize ?? vocabularySize }

    /// The parameters (the embedding matrix, or none).
    public var parameters: [Parameter<Scalar>] { embedding.map { [$0] } ?? [] }

    /// Throws unless `ids` are `steps × batch` ids in the vocabulary.
    public func validate(_ ids: [Int32], steps: Int, batch: Int) throws {
        try Self.check(ids, steps: steps, batch: batch, vocabularySize: vocabularySize, what: "inputs")
    }

    /// Keeps the ids and gathers their embeddings, if any.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func load(_ ids: [Int32], steps: Int, batch: Int) {
        self.ids = ids
        guard let e = embedding, let width = embeddingSize else { return }
        collectDistinct(ids)
        let n = steps * batch
        if n != rows {
            rows = n
            embedded = Buffer(count: n * width)
            gradients = Buffer(count: n * width)
        }
        let src = e.value.pointer, dst = embedded.pointer
        if dropsRows, let scales = rowScales?.pointer {
            ids.withUnsafeBufferPointer { ids in
                for r in 0..<n {
                    let id = Int(ids[r]), row = src + id * width, out = dst + r * width, scale = scales[id]
                    for j in 0..<width { out[j] = row[j] * scale }
                }
            }
            return
        }
        ids.withUnsafeBufferPointer { gather($0.baseAddress!, count: n, into: dst) }
    }

    /// ``distinctIDs`` = the distinct `ids`, ascending: a bit set per id, then the set bits read
    /// in order (and cleared). Allocates only while the buffers grow to the largest window.
    private func collectDistinct(_ ids: [Int32]) {
        if seen.count * 64 < vocabularySize { seen = [UInt64](repeating: 0, count: (vocabularySize + 63) / 64) }
        distinctIDs.removeAll(keepingCapacity: true)
        distinctIDs.reserveCapacity(ids.count)
        seen.withUnsafeMutableBufferPointer { words in
            var lowest = words.count, highest = -1
            for id in ids {
                let word = Int(id) >> 6
                words[word] |= 1 << UInt64(id & 63)
                lowest = Swift.min(lowest, word)
                highest = Swift.max(highest, word)
            }
            guard highest >= lowest else { return }
            for word in lowest...highest {
                var bits = words[word]
                words[word] = 0
                while bits != 0 {
                    distinctIDs.append(word << 6 + bits.trailingZeroBitCount)
                    bits &= bits - 1
                }
            }
        }
    }

    /// Rows `count` × E of `into` = the embedding rows of `ids` (no dropout): the window's
    /// input, and a generation step's. Nothing to do for one-hot input.
    @inline(__always)
    public func gather(_ ids: UnsafePointer<Int32>, count: Int, into rows: UnsafeMutablePointer<Scalar>) {
        guard let e = embedding, let width = embeddingSize else { return }
        let src = e.value.pointer
        for r in 0..<count { (rows + r * width).update(from: src + Int(ids[r]) * width, count: width) }
    }

    /// Embedding dropout (AWD-LSTM's `embedded_dropout`): for the windows loaded next, row v
    /// of `embedding.W` is read as W[v] · s_v, s_v = 0 with probability `probability`, else
    /// 1/(1 − p), one draw per vocabulary row from `key` (``DropoutHash`` place embedding,
    /// layer, stream and step 0, element v). Nil key or 0: plain rows.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func setRowDropout(probability p: Double, key: DropoutKey?) {
        guard let key, p > 0, embedding != nil else { dropsRows = false; return }
        if rowScales == nil { rowScales = Buffer(count: vocabularySize) }
        let base = DropoutHash.rowBase(key, place: .embedding, layer: 0, stream: 0, step: 0)
        DropoutHash.fillRow(rowScales!.pointer, count: vocabularySize, base: base,
                            threshold: DropoutHash.threshold(p), scale: Scalar(1 / (1 - p)))
        dropsRows = true
    }

    /// The first layer's input: the ids (one-hot) or the gathered embeddings.
    public func withCurrent(_ body: (CellInput<Scalar>) -> Void) {
        if embedding == nil {
            ids.withUnsafeBufferPointer { body(.tokens($0.baseAddress!)) }
        } else {
            body(.dense(UnsafePointer(embedded.pointer)))
        }
    }

    /// Where the first layer writes ∂loss/∂input (nil for one-hot: nothing to learn there).
    public var inputGradient: UnsafeMutablePointer<Scalar>? { embedding == nil ? nil : gradients.pointer }

    /// The embedding, whose gradient ``backward()`` writes in the rows of the window's ids only
    /// (nil for one-hot input).
    public var rowSparseGradient: RowSparseGradient<Scalar>? {
        guard let e = embedding else { return nil }
        return RowSparseGradient(parameter: e, rows: distinctIDs)
    }

    /// Scatter-adds ∂loss/∂embedded rows into the embedding gradient.
    @_specialize(where Scalar == Float)
    @_specialize(where Scalar == Double)
    public func backward() {
        guard let e = embedding, let width = embeddingSize else { return }
        let g = gradients.pointer, dst = e.gradient.pointer
        if dropsRows, let scales = rowScales?.pointer {
            ids.withUnsafeBufferPointer { ids in
                for r in 0..<rows {
                    let id = Int(ids[r]), src = g + r * width, row = dst + id * width, scale = scales[id]
                    for j in 0..<width { row[j] += src[j] * scale }
                }
            }
            return
        }
        ids.withUnsafeBufferPointer { ids in
            for r in 0..<rows {
                let src = g + r * width, row = dst + Int(ids[r]) * width
                for j in 0..<width { row[j] += src[j] }
            }
        }
    }

    /// Throws unless `ids` are `steps × batch` token ids below `vocabularySize` (`what`
    /// names them in the message: inputs or targets).
    static func check(_ ids: [Int32], steps: Int, batch: Int, vocabularySize: Int, what: String) throws {
        guard ids.count == steps * batch else {
            throw ModelError.shapeMismatch("\(ids.count) \(what) for a window of \(steps) steps × \(batch) batch (\(steps * batch) expected)")
        }
        let v = Int32(vocabularySize)
        for id in ids where id < 0 || id >= v {
            throw ModelError.tokenOutOfRange(id: id, vocabularySize: vocabularySize)
        }
    }
}
