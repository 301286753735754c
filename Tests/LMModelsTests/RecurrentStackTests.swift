@testable import LMModels
import LMSettings
import LMTensor
import Testing

/// ``RecurrentStack``, where cell kinds are registered: the shape known before building
/// agrees with the built cells, and the stack is named and wired layer by layer.
@Suite struct RecurrentStackTests {
    @Test(arguments: ModelConfig.Kind.allCases, [ModelConfig.GRUVariant.d2l, .pytorch])
    func shapeAgreesWithTheBuiltCells(kind: ModelConfig.Kind, variant: ModelConfig.GRUVariant) {
        let cells: [any RecurrentCell<Float>] = RecurrentStack.cells(kind: kind, activation: .tanh, inputSize: 7, hiddenSize: 5,
                                                                     layers: 2, gruVariant: variant)
        let shape = RecurrentStack.shape(of: kind)
        #expect(cells.map(\.inputSize) == [7, 5])
        for (l, c) in cells.enumerated() {
            #expect(c.gateCount == shape.gates && c.stateCount == shape.states)
            #expect(c.parameters.map(\.name) == ["W_xh", "W_hh", "b_h"].map { "\(kind.rawValue).\(l).\($0)" })
        }
    }
}
