import Foundation
import LMTestSupport

/// Seeds for property tests: each test case gets its own configuration drawn from its seed.
let propertySeeds: [UInt64] = Array(1...40)

/// A fresh empty directory under the system's temporary directory.
func temporaryDirectory() -> String {
    TemporaryFolders.make("lmtoytasks")
}
