import Foundation

/// Where the build put the products the tests run (`lm-train`, `lm-serve`, …): the running test
/// binary's own directory, outside any `.xctest` bundle.
public enum BuiltProducts {
    /// The products' directory.
    public static let directory: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On some layouts the test binary sits inside a bundle directory (.xctest/...).
        while url.path.contains(".xctest") { url = url.deletingLastPathComponent() }
        return url.path
    }()

    /// The path of the built product `name`.
    public static func path(_ name: String) -> String { directory + "/" + name }
}
