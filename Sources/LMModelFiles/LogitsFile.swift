import Foundation
import LMData
import LMFileSystem
import LMModels
import LMTensor
import LMText

/// `lm-eval --logits FILE`: the logits a run computes for every position of a text, as a
/// safetensors file with one F32 tensor `logits`, (tokens − 1) × vocabulary (row i predicts
/// token i + 1; see ``Evaluator/logits(_:on:steps:)``), for comparing with another
/// implementation. Metadata: `format` `lmkit-logits`, `tokens`. An adaptive softmax model
/// (``ModelConfig/adaptiveSoftmax``) writes its exact log-probabilities, and says so with
/// `values` `log_probabilities`.
public enum LogitsFile {
    /// Computes and writes the logits of `trained` on `stream` (the text at `text`) to `path`,
    /// atomically; `path` may not be one of `inputs` (``InputFiles``).
    public static func write(model trained: TrainedModel, stream: TokenStream, steps: Int, text: String, to path: String,
                             sparing inputs: InputFiles) throws {
        let values: [Float]
        do {
            values = try Evaluator.logits(trained.model, on: stream, steps: steps)
        } catch let error as ModelError {
            throw ModelFileError.model(path: text, error)
        }
        let v = trained.config.model.vocabularySize
        let tensor = SafeTensors.Tensor(name: "logits", shape: [values.count / v, v], values: values)
        var metadata = ["format": "lmkit-logits", "tokens": String(stream.count)]
        if trained.config.model.adaptiveSoftmax != nil { metadata["values"] = "log_probabilities" }
        try AtomicFile.write(try SafeTensors.encode([tensor], metadata: metadata), to: path, sparing: inputs)
    }
}
