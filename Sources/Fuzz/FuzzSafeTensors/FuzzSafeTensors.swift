import Foundation
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

// libFuzzer entry point when built with -DFUZZING (bin/fuzz); otherwise a replay tool that runs
// each file given as an argument through the same check (to reproduce a crash artifact).
#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    check(Data(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif

@main struct FuzzSafeTensors {
    static func main() {
        if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--write-seeds" {
            do { try writeSeeds(to: CommandLine.arguments[2]) } catch { fatalError("cannot write seeds: \(error)") }
            return
        }
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
        #else
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { fatalError("cannot read \(path)") }
            check(data)
            print("\(path): ok")
        }
        #endif
    }
}
