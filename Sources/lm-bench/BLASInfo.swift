import ArgumentParser
import LMTensor

/// `lm-bench blas`: which OpenBLAS core and thread policy the BLAS layer picked, as JSON
/// (check the fallback override with `env -u OPENBLAS_CORETYPE LMKIT_BLAS_SIMULATE_FALLBACK=1
/// lm-bench blas`: detected "Prescott", core the CPU's best).
struct BLASInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blas", abstract: "Print the BLAS layer's configuration (core, override, threads) as JSON.")

    func run() throws {
        let c = BLAS.configuration
        log(c.description)
        print(jsonLine([("bench", "blas"), ("library", c.library), ("core", c.coreName),
                        ("detected_core", c.detectedCoreName ?? ""), ("override", c.coreTypeOverride ?? ""),
                        ("user_core", c.userCoreType ?? ""), ("cpu_best", c.bestCoreForCPU ?? ""),
                        ("processors", c.processors), ("parallelism", BLAS.parallelism.rawValue),
                        ("threads", BLAS.threads), ("small_product_threads", BLAS.smallProductThreads),
                        ("warning", c.warning ?? "")]))
    }
}
