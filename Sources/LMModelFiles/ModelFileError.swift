import LMModels

/// What can go wrong while reading or writing a run's files, each with a message a user can
/// act on.
public enum ModelFileError: Error, CustomStringConvertible, Equatable {
    /// A file that should be a safetensors file is not, or is damaged.
    case badSafeTensors(path: String, reason: String)
    /// A run directory that is missing, or is not one.
    case notARun(path: String, reason: String)
    /// Weights whose names or shapes do not match the run's configuration.
    case weightsMismatch(path: String, reason: String)
    /// Weights that hold NaN or infinite values, or give a non-finite loss.
    case damagedWeights(path: String, reason: String)
    /// A vocabulary file that is not the one the run's model was trained with.
    case foreignVocabulary(path: String, recorded: VocabularyDigest, found: VocabularyDigest)
    /// A file that could not be written or read.
    case io(path: String, reason: String)
    /// The model of the run at `path` cannot be built or run (its `config.json` describes an
    /// impossible model).
    case model(path: String, ModelError)

    public var description: String {
        switch self {
        case let .badSafeTensors(path, reason): return "\(path): not a valid safetensors file: \(reason)"
        case let .notARun(path, reason): return "\(path): not an LMKit run directory: \(reason)"
        case let .weightsMismatch(path, reason): return "\(path): weights do not match config.json: \(reason)"
        case let .damagedWeights(path, reason): return "\(path): the weights are damaged: \(reason)"
        case let .foreignVocabulary(path, recorded, found):
            return "\(path): not the vocabulary this model was trained with: config.json records \(recorded), the file holds \(found)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .model(path, error): return "\(path): \(error.description)"
        }
    }
}
