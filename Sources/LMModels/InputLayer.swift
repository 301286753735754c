import LMTensor

/// How token ids enter the first recurrent layer.
///
/// One-hot input has no parameters of its own: the first layer gathers rows of its W_xh
/// (see ``CellInput/tokens(_:)``). An embedding gathers rows of `embedding.W`
/// (vocabulary × E) into a T·B × E buffer, and scatters the input gradient back into them.
public final class InputLayer<Scalar: TensorScalar> {
    /// Embedding width, or nil for one-hot input.
    public let embeddingSize: Int?
    /// Vocabulary size.
    public let vocabularySize: Int
    /// `embedding.W` (vocabulary × E), or nil for one-hot input.
    public let embedding: Parameter<Scalar>?
    private var rows = 0
    private var embedded = Buffer<Scalar>(count: 0)
    private var gradients = Buffer<Scalar>(count: 0)

    /// An input layer: one-hot when `embeddingSize` is nil.
    public init(vocabularySize: Int, embeddingSize: Int?) {
        self.vocabularySize = vocabularySize
        self.embeddingSize = embeddingSize
        embedding = embeddingSize.map { Parameter(name: "embedding.W", rows: vocabularySize, cols: $0) }
    }

    /// Width of the rows the first recurrent layer reads.
    public var outputSize: Int { embeddingSize ?? vocabularySize }

    /// The parameters (the embedding matrix, or none).
    public var parameters: [Parameter<Scalar>] { embedding.map { [$0] } ?? [] }

    /// The first layer's input for `rows` token ids (gathering embeddings if any).
    func forward(ids: UnsafePointer<Int32>, rows n: Int) -> CellInput<Scalar> {
        guard let e = embedding, let width = embeddingSize else { return .tokens(ids) }
        if n != rows {
            rows = n
            embedded = Buffer(count: n * width)
            gradients = Buffer(count: n * width)
        }
        let src = e.value.pointer, dst = embedded.pointer
        for r in 0..<n { (dst + r * width).update(from: src + Int(ids[r]) * width, count: width) }
        return .dense(UnsafePointer(dst))
    }

    /// The first layer's input as the last ``forward(ids:rows:)`` produced it.
    func current(ids: UnsafePointer<Int32>) -> CellInput<Scalar> {
        embedding == nil ? .tokens(ids) : .dense(UnsafePointer(embedded.pointer))
    }

    /// Where the first layer writes ∂loss/∂input (nil for one-hot: nothing to learn there).
    var inputGradient: UnsafeMutablePointer<Scalar>? { embedding == nil ? nil : gradients.pointer }

    /// Scatter-adds ∂loss/∂embedded rows into the embedding gradient.
    func backward(ids: UnsafePointer<Int32>, rows n: Int) {
        guard let e = embedding, let width = embeddingSize else { return }
        let g = gradients.pointer, dst = e.gradient.pointer
        for r in 0..<n {
            let src = g + r * width, row = dst + Int(ids[r]) * width
            for j in 0..<width { row[j] += src[j] }
        }
    }
}
