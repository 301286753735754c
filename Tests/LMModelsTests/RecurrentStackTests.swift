@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// ``RecurrentStack``: each kind's cells, built by its definition, have the shape the
/// definition states, and the stack is named and wired layer by layer.
@Suite struct RecurrentStackTests {
    @Test(arguments: CellRegistry.kinds, [ModelConfig.GRUVariant.d2l, .pytorch])
    func shapeAgreesWithTheBuiltCells(kind: ModelConfig.Kind, variant: ModelConfig.GRUVariant) throws {
        var architecture = ModelConfig(kind: kind, vocabularySize: 7, hiddenSize: 5, layers: 2)
        architecture.gruVariant = kind == .gru ? variant : .d2l
        let cells: [any RecurrentCell<Float>] = try RecurrentStack.cells(for: architecture, inputSize: 7)
        let shape = try CellRegistry.definition(of: kind)
        #expect(cells.map(\.inputSize) == [7, 5])
        for (l, c) in cells.enumerated() {
            #expect(c.gateCount == shape.gateCount && c.stateCount == shape.stateCount)
            #expect(c.workspace.scratchWidth == shape.scratchWidth(for: architecture))
            #expect(c.parameters.map(\.name) == ["W_xh", "W_hh", "b_h"].map { "\(kind.rawValue).\(l).\($0)" })
        }
    }
}
