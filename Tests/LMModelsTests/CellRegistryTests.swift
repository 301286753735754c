import Foundation
@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// ``CellRegistry``, the one list of cell kinds: every registered kind goes from a
/// configuration to a model shaped by its definition, an unknown kind is refused by name, and
/// nothing else in `Sources/` lists the kinds (adding one is its cell file plus its line in
/// the registry).
@Suite struct CellRegistryTests {
    @Test func namesAreDistinctAndEncodeAsTheBareName() throws {
        let names = CellRegistry.kinds.map(\.rawValue)
        #expect(names == ["rnn", "gru", "lstm"])
        #expect(Set(names).count == names.count)
        #expect(CellRegistry.knownNames == "rnn, gru or lstm")
        for kind in CellRegistry.kinds {
            #expect(CellRegistry.definition(named: kind.rawValue)?.kind == kind)
            let json = try JSONEncoder().encode([kind])
            #expect(String(decoding: json, as: UTF8.self) == "[\"\(kind.rawValue)\"]")
            #expect(try JSONDecoder().decode([ModelConfig.Kind].self, from: json) == [kind])
        }
    }

    /// config → model: the layers are named `<kind>.<l>` and shaped G·H wide by the
    /// definition, and the estimate and the FLOP count read the same definition.
    @Test(arguments: CellRegistry.kinds)
    func everyKindBuildsTheModelItsDefinitionDescribes(kind: ModelConfig.Kind) throws {
        let definition = try CellRegistry.definition(of: kind)
        let config = ModelConfig(kind: kind, vocabularySize: 9, embeddingSize: 4, hiddenSize: 3, layers: 2)
        var rng = SplitMix64(seed: 5)
        let model = try RecurrentLM<Float>(config: config, using: &rng)
        let width = definition.gateCount * 3
        #expect(model.cells.count == 2)
        for (l, cell) in model.cells.enumerated() {
            #expect(cell.gateCount == definition.gateCount && cell.stateCount == definition.stateCount)
            let prefix = "\(kind.rawValue).\(l)."
            #expect(model.parameter(named: prefix + "W_xh").map { [$0.rows, $0.cols] } == [l == 0 ? 4 : 3, width])
            #expect(model.parameter(named: prefix + "W_hh").map { [$0.rows, $0.cols] } == [3, width])
            #expect(model.parameter(named: prefix + "b_h")?.count == width)
        }
        #expect(try MemoryEstimate(config: config, steps: 2, batch: 1).parameterCount == model.parameterCount)
        #expect(try config.flopsPerToken > 0)
        if let torch = definition.pyTorch {
            #expect(torch.blockOrder.sorted() == Array(0..<definition.gateCount))
            #expect(torch.modules[.tanh] != nil)
        }
    }

    @Test func anUnknownKindIsRefusedNamingTheKnownOnes() throws {
        let config = ModelConfig(kind: ModelConfig.Kind(rawValue: "peephole"), vocabularySize: 9, hiddenSize: 3)
        let refusal = SettingsError(.unknown, "model.kind", "\(setting: "model.kind") peephole is not a cell kind; use rnn, gru or lstm")
        #expect("\(refusal)" == "model.kind peephole is not a cell kind; use rnn, gru or lstm")
        var rng = SplitMix64(seed: 5)
        #expect(throws: refusal) { try RecurrentLM<Float>(config: config, using: &rng) }
        #expect(throws: refusal) { try MemoryEstimate(config: config, steps: 2, batch: 1) }
        #expect(throws: refusal) { try config.flopsPerToken }
        #expect(CellRegistry.definition(named: "peephole") == nil)
    }

    /// The registry is the only list: no other file in `Sources/` names more than one kind's
    /// definition, or switches over kinds (`case .lstm`).
    @Test func theRegistryIsTheOnlyListOfKinds() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        #expect(files.count > 100)
        let definitions = CellRegistry.definitions.map { String(describing: $0) }
        var listing: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            if definitions.filter({ text.contains($0) }).count > 1 { listing.append(file.lastPathComponent) }
            for kind in CellRegistry.kinds where text.contains("case .\(kind.rawValue)") {
                Issue.record("\(file.lastPathComponent) switches over cell kinds (case .\(kind.rawValue))")
            }
        }
        #expect(listing == ["CellRegistry.swift"])
    }
}
