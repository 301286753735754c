import Foundation

/// What every fuzz target shares: `TARGET --write-seeds DIR` writes the target's seeds; built with
/// `-DFUZZING` (bin/fuzz) the target runs under libFuzzer; otherwise it is a replay tool that runs
/// each file given as an argument through the same check (to reproduce a crash artifact).
public enum FuzzDriver {
    /// The target's check, for the libFuzzer entry point (a C function cannot capture it).
    nonisolated(unsafe) static var check: (Data) -> Void = { _ in }

    /// Runs the target with `check` (which traps on a finding) and `writeSeeds`.
    public static func main(check: @escaping (Data) -> Void, writeSeeds: (String) throws -> Void) {
        if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "--write-seeds" {
            do { try writeSeeds(CommandLine.arguments[2]) } catch { fatalError("cannot write seeds: \(error)") }
            return
        }
        Self.check = check
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

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzDriver.check(Data(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
#endif
