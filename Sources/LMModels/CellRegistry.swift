import LMSettings

/// The one list of cell kinds: adding a kind is its cell file (a type conforming to
/// ``CellDefinition``) plus its line here. Everything that needs to know which kinds exist
/// (building a model, the PyTorch conversion, the tools' `--model`) asks this registry.
public enum CellRegistry {
    /// Every cell kind, in the order tools list them.
    public static let definitions: [any CellDefinition.Type] = [
        RNNDefinition.self,
        GRUDefinition.self,
        LSTMDefinition.self,
    ]

    /// The kinds' names, in ``definitions`` order.
    public static var kinds: [ModelConfig.Kind] { definitions.map { $0.kind } }

    /// The definition of the kind called `name`, or nil.
    public static func definition(named name: String) -> (any CellDefinition.Type)? {
        definitions.first { $0.kind.rawValue == name }
    }

    /// The definition of `kind`; throws ``SettingsError`` (``SettingsError/Problem/unknown``,
    /// key `model.kind`) naming the known kinds when no cell is registered under its name.
    public static func definition(of kind: ModelConfig.Kind) throws -> any CellDefinition.Type {
        guard let definition = definition(named: kind.rawValue) else {
            throw SettingsError(.unknown, "model.kind",
                                "\(setting: "model.kind") \(kind.rawValue) is not a cell kind; use \(knownNames)")
        }
        return definition
    }

    /// "rnn, gru or lstm".
    public static var knownNames: String { inWords(kinds.map(\.rawValue)) }

    /// `items` as a list in words: "a, b or c".
    public static func inWords(_ items: [String]) -> String {
        items.count < 2 ? items.joined() : items.dropLast().joined(separator: ", ") + " or " + items[items.count - 1]
    }
}
