// swift-tools-version:6.2
// A program that uses LMKit as any package would: by URL and version.
// bin/test sets LMKIT_PACKAGE_URL to a clone of the checkout under test, tagged with that version.
import PackageDescription

let lmkit = Context.environment["LMKIT_PACKAGE_URL"] ?? "https://github.com/lmkit/lmkit"

let package = Package(
    name: "TinyModel",
    dependencies: [.package(url: lmkit, from: "1.0.0")],
    targets: [
        .executableTarget(name: "TinyModel", dependencies: [.product(name: "LMKit", package: "lmkit")]),
    ]
)
