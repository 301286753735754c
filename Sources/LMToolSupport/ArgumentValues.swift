import ArgumentParser
import LMModelFiles
import LMModels
import LMSettings
import LMText

// The library's settings that the tools take as option values, by their raw names
// (`--model gru`, `--preset unicode`, ...).

extension ModelConfig.Kind: ExpressibleByArgument {}
extension ModelConfig.Activation: ExpressibleByArgument {}
extension ModelConfig.GRUVariant: ExpressibleByArgument {}
extension OptimizerSettings.Kind: ExpressibleByArgument {}
extension DataSettings.Sampler: ExpressibleByArgument {}
extension RunSettings.TestModel: ExpressibleByArgument {}
extension InitScheme: ExpressibleByArgument {}
extension ResumePoint: ExpressibleByArgument {}
extension TextPipeline.Level: ExpressibleByArgument {}
extension Preprocessor.Preset: ExpressibleByArgument {}
extension Preprocessor.Normalization: ExpressibleByArgument {}
extension WordTokenizer.Splitting: ExpressibleByArgument {}
