import Foundation
import FuzzDriver
import LMModelFiles

/// Fuzz target: bytes as a safetensors file. Decoding either throws `ModelFileError` or gives
/// tensors whose shapes match their values and which re-encode to the same tensors, bit for bit.
func check(_ data: Data) {
    let decoded: (tensors: [SafeTensors.Tensor], metadata: [String: String])
    do { decoded = try SafeTensors.decode(data, path: "fuzz.safetensors") } catch is ModelFileError { return } catch {
        fatalError("untyped error: \(error)")
    }
    for tensor in decoded.tensors { precondition(tensor.shape.reduce(1, *) == tensor.values.count, "shape \(tensor.shape) vs \(tensor.values.count) values") }
    do {
        let again = try SafeTensors.decode(try SafeTensors.encode(decoded.tensors, metadata: decoded.metadata), path: "again")
        precondition(again.metadata == decoded.metadata, "metadata changed")
        precondition(again.tensors.map(\.name) == decoded.tensors.map(\.name) && again.tensors.map(\.shape) == decoded.tensors.map(\.shape), "names or shapes changed")
        precondition(again.tensors.map { $0.values.map(\.bitPattern) } == decoded.tensors.map { $0.values.map(\.bitPattern) }, "values changed")
    } catch { fatalError("decoded tensors failed their round trip: \(error)") }
}

/// Seeds written by the project's own encoder: ordinary weights with metadata, and non-finite values.
func writeSeeds(to directory: String) throws {
    try SafeTensors.encode([SafeTensors.Tensor(name: "rnn.0.W_xh", shape: [2, 3], values: [1, 2, 3, 4, 5, -6.5]),
                            SafeTensors.Tensor(name: "output.b_q", shape: [3], values: [0.25, .greatestFiniteMagnitude, -0])],
                           metadata: ["epoch": "3"]).write(to: URL(fileURLWithPath: directory + "/small.safetensors"))
    try SafeTensors.encode([SafeTensors.Tensor(name: "x", shape: [2, 2], values: [.nan, .infinity, -.infinity, .leastNonzeroMagnitude]),
                            SafeTensors.Tensor(name: "empty", shape: [0], values: [])]).write(to: URL(fileURLWithPath: directory + "/special.safetensors"))
}

@main struct FuzzSafeTensors {
    static func main() { FuzzDriver.main(check: check, writeSeeds: writeSeeds(to:)) }
}
