// swift-tools-version:6.2
// LMKit: train and sample recurrent language models on a CPU.
// Layers flow one way: files → text → settings, data → tensor → models → model files → training / generation → tools.
import PackageDescription

// Unsafe flags are allowed in a versioned dependency from tools version 6.2 on.
#if arch(x86_64)
/// LMKit's floor, x86-64-v3 (AVX, AVX2, BMI1, BMI2, F16C, FMA, LZCNT, MOVBE: Intel Haswell, AMD
/// Excavator and every EPYC on), for the code that runs on every host: one build runs on any
/// of them, and a constructor in CCPUID refuses an older CPU with one line before `main`.
/// Spelt `haswell`: swiftc hands -target-cpu to clang too, which takes no x86-64-vN there;
/// Haswell's extras over v3 (AES, PCLMUL, RDRND, FSGSBASE, INVPCID) come only from intrinsics.
let floorCPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
/// The AVX-512 kernels, x86-64-v4 (AVX-512 F, BW, CD, DQ, VL), spelt `skylake-avx512` likewise:
/// compiled in LMKernelsAVX512 only and chosen at run time (LMTensor's KernelSet).
let avx512CPU: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "skylake-avx512"])]
#else
let floorCPU: [SwiftSetting] = []
let avx512CPU: [SwiftSetting] = []
#endif
/// The kernels and the models' loops, where -Ounchecked pays; no target that parses files has it
/// (callgrind: dropping it from model files, training, distributed, toy tasks and generation
/// changes a training run's instructions by under 0.5 % and generation's by 1 %; bench/README.md).
/// LMModels does compute sizes from config.json's values (MemoryEstimate): there every product
/// and sum goes through multipliedReportingOverflow / addingReportingOverflow, which report
/// overflow under -Ounchecked too, and saturates; a model is built from settings or config.json
/// only after its estimate passed SystemMemory.check (an imported one from tensors already
/// read), so no buffer size computed later can wrap. Taking -Ounchecked off
/// LMModels' cell loops needs a benchmark first (bench/README.md), so it stays.
let unchecked: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]
let uncheckedKernels: [SwiftSetting] = unchecked + floorCPU

let package = Package(
    name: "LMKit",
    products: [
        // The Swift API most programs need: train, load, generate, score, export (Sources/LMKit).
        .library(name: "LMKit", targets: ["LMKit"]),
        .library(name: "LMFileSystem", targets: ["LMFileSystem"]),
        .library(name: "LMText", targets: ["LMText"]),
        .library(name: "LMSettings", targets: ["LMSettings"]),
        .library(name: "LMData", targets: ["LMData"]),
        .library(name: "LMTensor", targets: ["LMTensor"]),
        .library(name: "LMModels", targets: ["LMModels"]),
        .library(name: "LMModelFiles", targets: ["LMModelFiles"]),
        .library(name: "LMTraining", targets: ["LMTraining"]),
        .library(name: "LMGeneration", targets: ["LMGeneration"]),
        .library(name: "LMDistributed", targets: ["LMDistributed"]),
        .library(name: "LMToyTasks", targets: ["LMToyTasks"]),
        .executable(name: "lm-vocab", targets: ["lm-vocab"]),
        .executable(name: "lm-train", targets: ["lm-train"]),
        .executable(name: "lm-eval", targets: ["lm-eval"]),
        .executable(name: "lm-generate", targets: ["lm-generate"]),
        .executable(name: "lm-convert", targets: ["lm-convert"]),
        .executable(name: "lm-serve", targets: ["lm-serve"]),
        .library(name: "LMServe", targets: ["LMServe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
        // lm-serve's HTTP server (default traits off: no swift-configuration, no full Foundation).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // System libraries (Debian: libutf8proc-dev, zlib1g-dev, libopenblas-dev; bin/setup installs them).
        .systemLibrary(name: "CUtf8proc", providers: [.apt(["libutf8proc-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),   // inflating corpus archives (ptb.zip)
        .systemLibrary(name: "CPrefetch"),   // header-only: __builtin_prefetch for the recurrent kernel
        // CPUID's features, and the constructor that refuses a CPU below the floor before main
        // (baseline x86-64 code: no -target-cpu).
        .target(name: "CCPUID"),
        // OpenBLAS is not linked: LMTensor dlopens libopenblas.so.0 after choosing its kernels (BLAS.swift).

        // Files: atomic writes, reads with plain-word errors, inputs (files, pipes, stdin), SHA-1/256,
        // zip archives, downloads.
        .target(name: "LMFileSystem", dependencies: ["CZlib", "CCPUID"]),
        // Text: preprocessing, tokenizers, vocabulary, corpus registry.
        .target(name: "LMText", dependencies: ["LMFileSystem", "CUtf8proc"]),
        // Settings: what a training run is asked to do (model, data, optimizer, schedule, run), validated.
        .target(name: "LMSettings", dependencies: ["LMText"]),
        // Data: token streams, samplers, the project's random generator, the time-major layout.
        .target(name: "LMData", dependencies: ["LMText", "LMFileSystem"]),
        // The hot kernels' source, written once (@inlinable), and its two compilations: the floor's
        // and AVX-512's, each a table of entry points that LMTensor chooses from at run time.
        .target(name: "LMKernels", dependencies: ["CPrefetch"], swiftSettings: uncheckedKernels),
        .target(name: "LMKernelsAVX2", dependencies: ["LMKernels"], swiftSettings: unchecked + floorCPU),
        .target(name: "LMKernelsAVX512", dependencies: ["LMKernels"], swiftSettings: unchecked + avx512CPU),
        // Tensor math: matrices, BLAS, activations, loss, clipping (the CPU flags come from LMFileSystem:
        // no file is parsed under -Ounchecked).
        .target(name: "LMTensor", dependencies: [
            "LMFileSystem", "LMKernels", "LMKernelsAVX2", "LMKernelsAVX512", "CPrefetch", .product(name: "RealModule", package: "swift-numerics"),
        ],
                swiftSettings: uncheckedKernels),  // dlopens OpenBLAS (BLAS.swift); kernels chosen at run time (KernelSet)
        // Models: parameters, recurrent cells, the network shell with its inputs and heads, evaluation.
        .target(name: "LMModels", dependencies: ["LMSettings", "LMTensor", "LMData"], swiftSettings: uncheckedKernels),
        // Model files: a run's config, vocabulary, weights, checkpoints, log and curve, read and written.
        .target(name: "LMModelFiles", dependencies: ["LMSettings", "LMModels", "LMTensor", "LMData", "LMText", "LMFileSystem"]),
        // Training: optimizers, the one training step, the loop, the run's set-up and session.
        .target(name: "LMTraining", dependencies: ["LMSettings", "LMModelFiles", "LMModels", "LMTensor", "LMData", "LMText", "LMFileSystem"]),
        // Data-parallel training: a Communicator over Open MPI, dlopened at run time (no MPI needed to build).
        .target(name: "LMDistributed", dependencies: ["LMTraining"]),
        // Toy tasks of the reference tutorials: data, dataset, trainer, metrics, session.
        .target(name: "LMToyTasks", dependencies: ["LMSettings", "LMTraining", "LMModelFiles", "LMModels", "LMTensor", "LMData"]),
        // Generation: decoding strategies, sampling options, prefix warm-up, the lm-generate run.
        .target(name: "LMGeneration", dependencies: [
            "LMModelFiles", "LMModels", "LMTensor", "LMData", "LMText", "LMFileSystem", .product(name: "RealModule", package: "swift-numerics"),
        ],
                swiftSettings: floorCPU),

        // The umbrella API: a trained model loaded once (generate, score, export) and training from settings.
        .target(name: "LMKit", dependencies: ["LMSettings", "LMTraining", "LMGeneration", "LMModelFiles", "LMModels", "LMData"]),

        // Serving: lm-serve's HTTP API (OpenAI-style completions and scoring, a web page) on
        // Hummingbird, with concurrent requests batched into one generation step.
        .target(name: "LMServe", dependencies: [
            "LMKit", "LMGeneration", "LMModelFiles", "LMModels", "LMText", "LMData", .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"), .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),

        // What every command-line tool shares: error reporting, notes, progress display, buffered
        // stdout, option values. Below training and generation, so lm-generate and lm-eval need neither.
        .target(name: "LMToolSupport", dependencies: [
            "LMSettings", "LMModelFiles", "LMModels", "LMTensor", "LMText", "LMFileSystem", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Command-line tools: thin argument parsing over the library.
        .executableTarget(name: "lm-vocab", dependencies: [
            "LMText", "LMToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .executableTarget(name: "lm-train", dependencies: [
            "LMTraining", "LMDistributed", "LMToyTasks", "LMGeneration", "LMModelFiles", "LMToolSupport", "LMSettings", "LMText", "LMData", "LMModels", "LMTensor", "LMFileSystem",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "lm-eval", dependencies: [
            "LMModelFiles", "LMModels", "LMToolSupport", "LMText", "LMData",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "lm-generate", dependencies: [
            "LMGeneration", "LMModelFiles", "LMToolSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Model and vocabulary conversion: PyTorch state_dicts, Hugging Face tokenizer.json.
        .executableTarget(name: "lm-convert", dependencies: [
            "LMModelFiles", "LMText", "LMToolSupport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "lm-serve", dependencies: [
            "LMServe", "LMModelFiles", "LMToolSupport", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Benchmarks of the library's hot paths, driven by bin/bench.
        .executableTarget(name: "lm-bench", dependencies: [
            "LMSettings", "LMText", "LMData", "LMModels", "LMTensor", "LMToolSupport", "LMTraining", "LMModelFiles", "LMDistributed", "LMGeneration",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: uncheckedKernels),

        // Fuzz targets, one per loader: libFuzzer entry points under -DFUZZING (bin/fuzz), else replay tools.
        .target(name: "FuzzDriver", path: "Sources/Fuzz/FuzzDriver"),
        .executableTarget(name: "FuzzVocabulary", dependencies: ["FuzzDriver", "LMText", "LMFileSystem"], path: "Sources/Fuzz/FuzzVocabulary"),
        .executableTarget(name: "FuzzSafeTensors", dependencies: ["FuzzDriver", "LMModelFiles"], path: "Sources/Fuzz/FuzzSafeTensors"),
        .executableTarget(name: "FuzzRunConfig", dependencies: ["LMSettings", "FuzzDriver", "LMModelFiles", "LMModels"], path: "Sources/Fuzz/FuzzRunConfig"),
        .executableTarget(name: "FuzzTextPipeline", dependencies: ["FuzzDriver", "LMText"], path: "Sources/Fuzz/FuzzTextPipeline"),

        // What the test targets that run built tools share (not a product).
        .target(name: "LMTestSupport", path: "Tests/LMTestSupport"),
        .testTarget(name: "LMFileSystemTests", dependencies: ["LMTestSupport", "LMFileSystem", "CCPUID"]),
        .testTarget(name: "LMTextTests", dependencies: ["LMTestSupport", "LMText", "LMFileSystem"]),
        .testTarget(name: "LMDataTests", dependencies: ["LMTestSupport", "LMData", "LMText"]),
        .testTarget(name: "LMTensorTests", dependencies: [
            "LMTensor", "LMKernels", "LMData", .product(name: "Numerics", package: "swift-numerics"),
        ]),
        .testTarget(name: "LMModelsTests", dependencies: [
            "LMSettings", "LMModels", "LMTensor", "LMData", .product(name: "Numerics", package: "swift-numerics"),
        ]),
        .testTarget(name: "LMSettingsTests", dependencies: ["LMSettings", "LMText"]),
        .testTarget(name: "LMModelFilesTests", dependencies: ["LMTestSupport", "LMModelFiles", "LMModels", "LMSettings"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "LMTrainingTests", dependencies: ["LMTestSupport", "LMSettings", "LMTraining", "LMModelFiles", "LMModels", "LMData", "LMText"]),
        .testTarget(name: "LMToyTasksTests", dependencies: ["LMTestSupport", "LMSettings", "LMToyTasks", "LMTraining", "LMModels", "LMData"]),
        .testTarget(name: "LMGenerationTests", dependencies: ["LMTestSupport", "LMSettings", "LMGeneration", "LMModels", "LMText", "LMData"]),
        .testTarget(name: "LMKitTests", dependencies: ["LMTestSupport", "LMSettings", "LMKit", "LMGeneration", "LMModelFiles", "LMModels", "LMData", "LMText"]),
        .testTarget(name: "LMServeTests", dependencies: ["LMTestSupport", "LMServe", "LMGeneration", "LMModelFiles", "LMModels", "LMSettings", "LMText", "LMData"]),
        .testTarget(name: "EndToEndTests", dependencies: ["LMTestSupport", "LMText", "LMFileSystem", "LMModelFiles"]),
        .testTarget(name: "LMToolSupportTests", dependencies: ["LMToolSupport", "LMSettings", "LMText"]),
    ],
    swiftLanguageModes: [.v6]
)
