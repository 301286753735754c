import ArgumentParser
import LMModelFiles
import LMModels
import LMText

// The library's settings that the tools take as option values, by their raw names
// (`--model gru`, `--preset unicode`, ...).

extension ModelConfig.Kind: ExpressibleByArgument {}
extension ModelConfig.Activation: ExpressibleByArgument {}
extension ModelConfig.GRUVariant: ExpressibleByArgument {}
extension TrainingOptions.OptimizerKind: ExpressibleByArgument {}
extension TrainingOptions.SamplerKind: ExpressibleByArgument {}
extension TrainingOptions.TestModel: ExpressibleByArgument {}
extension TextPipeline.Level: ExpressibleByArgument {}
extension Preprocessor.Preset: ExpressibleByArgument {}
extension Preprocessor.Normalization: ExpressibleByArgument {}
extension WordTokenizer.Splitting: ExpressibleByArgument {}
