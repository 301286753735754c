import Foundation
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
/// `--hidden`: one width (`256`), or one per layer, bottom first (`1150,1150,400`), kept as
/// listed (so the list still counts the layers; ``ModelOptions`` makes equal widths the one
/// width). The settings check the values (at least 1, one per layer).
extension ModelConfig.LayerWidths: ExpressibleByArgument {
    public init?(argument: String) {
        let widths = argument.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !widths.isEmpty, widths.allSatisfy({ $0 != nil }) else { return nil }
        let values = widths.compactMap { $0 }
        self = values.count == 1 ? .uniform(values[0]) : .perLayer(values)
    }
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
