import ArgumentParser
import LMModelFiles
import LMModels
import LMSettings
import LMText

// The library's settings that the tools take as option values, by their raw names
// (`--model gru`, `--preset unicode`, ...).

/// `--model`: the kinds of ``CellRegistry``, which lists them for help and errors.
extension ModelConfig.Kind: ExpressibleByArgument {
    public init?(argument: String) {
        guard let definition = CellRegistry.definition(named: argument) else { return nil }
        self = definition.kind
    }

    public static var allValueStrings: [String] { CellRegistry.kinds.map(\.rawValue) }
}
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
