import ArgumentParser
import LMSettings
import Testing
@testable import LMToolSupport

/// `--cache-pointer` and `--dynamic-eval` (lm-eval, lm-train): read as settings, their errors
/// named by flag.
@Suite struct GainsOptionsTests {
    @Test func flagsGiveTheGains() throws {
        #expect(try GainsOptions.parse([]).gains.isNone)
        let both = try GainsOptions.parse(["--cache-pointer", "500,1.0,0.1", "--dynamic-eval", "0.002,0.02"]).gains
        #expect(both == EvaluationGains(cachePointer: CachePointer(window: 500, theta: 1, lambda: 0.1),
                                        dynamicEvaluation: DynamicEvaluation(learningRate: 0.002, decay: 0.02)))
        #expect(try GainsOptions.parse(["--dynamic-eval", "0.01"]).gains.dynamicEvaluation == DynamicEvaluation(learningRate: 0.01))
    }

    @Test func unreadableValuesAreUsageErrors() {
        for arguments in [["--cache-pointer", "500,1"], ["--dynamic-eval", "fast"]] {
            do {
                _ = try GainsOptions.parse(arguments)
                Issue.record("\(arguments) parsed")
            } catch {
                let message = GainsOptions.message(for: error)
                #expect(message.hasPrefix(arguments[0] + " takes"), "\(message)")
            }
        }
    }

    /// The library's range errors, by key path, come out naming the flag.
    @Test func rangeErrorsNameTheFlag() throws {
        for (arguments, expected) in [(["--cache-pointer", "500,1.0,1.5"], "--cache-pointer 500,1.0,1.5: lambda must be in [0, 1) (got 1.5)"),
                                      (["--cache-pointer", "0,1.0,0.1"], "--cache-pointer 0,1.0,0.1: the window must be at least 1 position (got 0)"),
                                      (["--dynamic-eval", "-1"], "--dynamic-eval -1.0,0.0: the learning rate must be positive and finite (got -1.0)"),
                                      (["--dynamic-eval", "0.1,1"], "--dynamic-eval 0.1,1.0: the decay must be in [0, 1) (got 1.0)")] {
            do {
                try GainsOptions.parse(arguments).gains.validate()
                Issue.record("\(arguments) passed")
            } catch {
                #expect(SettingsFlags.message(for: error) == expected)
            }
        }
    }
}
