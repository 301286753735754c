import LMModels
import LMTensor
import LMText

/// A trained model with what it needs to read text.
public struct TrainedModel {
    public let directory: RunDirectory
    public let config: RunConfig
    public let vocabularyFile: VocabularyFile
    public let vocabulary: Vocabulary
    public let model: RecurrentLM<Float>
}
