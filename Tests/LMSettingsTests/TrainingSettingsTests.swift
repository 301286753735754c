import Foundation
@testable import LMSettings
import LMText
import Testing

/// Settings' defaults, their one validation, and the initialization names.
@Suite struct TrainingSettingsTests {
    @Test func defaultsAreD2Ls() {
        let s = TrainingSettings(corpus: "timemachine")
        #expect(s.model.kind == .rnn && s.model.hiddenSize == 512 && s.model.embeddingSize == nil)
        #expect(s.data.batch == 32 && s.data.steps == 35 && s.data.maxTokens == nil)
        #expect(s.optimizer.kind == .sgd && s.optimizer.lr == 1 && s.optimizer.clip == 1)
        #expect(s.run.epochs == 500 && s.run.resume == nil && !s.run.overwrite)
        #expect(OptimizerSettings(kind: .adam).lr == 0.001)
        #expect(throws: Never.self) { try s.validate() }
    }

    @Test func errorsCarryTheirKeyPath() {
        var s = TrainingSettings(corpus: "c")
        s.model.dropout.hidden = 1
        #expect(throws: SettingsError(.outOfRange, "model.dropout.hidden", "\(setting: "model.dropout.hidden") 1.0: a dropout probability must be in [0, 1)")) {
            try s.validate()
        }
        s = TrainingSettings(corpus: "c")
        s.optimizer.asgd = .init()
        s.optimizer.kind = .adam
        do { try s.validate() } catch let error as SettingsError {
            #expect(error.problem == .requires && error.key == "optimizer.asgd")
            #expect("\(error)" == "optimizer.asgd averages SGD's iterates; it needs optimizer.kind sgd (got adam)")
        } catch { Issue.record("\(error)") }
        s = TrainingSettings(corpus: "c")
        s.run.resume = .newest
        s.run.overwrite = true
        #expect(throws: SettingsError.self) { try s.validate() }
        s = TrainingSettings(corpus: "c")
        s.schedule = .step(factor: 2, every: 1)
        #expect(throws: SettingsError.self) { try s.validate() }
    }

    /// The time budget is a positive, finite number of minutes, checked once by key path.
    @Test func theTimeBudgetIsValidatedByKeyPath() {
        var s = TrainingSettings(corpus: "c")
        for bad in [0, -1, Double.nan, .infinity] {
            s.run.timeBudget = bad
            do { try s.validate(); Issue.record("\(bad) accepted") } catch let error as SettingsError {
                #expect(error.problem == .outOfRange && error.key == "run.timeBudget")
                #expect("\(error)" == "run.timeBudget must be a positive number of minutes (got \(bad))")
            } catch { Issue.record("\(error)") }
        }
        s.run.timeBudget = 0.5
        #expect(throws: Never.self) { try s.validate() }
    }

    @Test func settingsRoundTripThroughJSON() throws {
        var s = TrainingSettings(corpus: "ptb", kind: .lstm)
        s.model.dropout = Dropout(hidden: 0.5)
        s.schedule = .plateau(factor: 0.25, patience: 0)
        s.run.resume = .best
        s.data.pipeline = PipelineChoice(level: .word)
        let decoded = try JSONDecoder().decode(TrainingSettings.self, from: try JSONEncoder().encode(s))
        #expect(decoded == s)
    }

    @Test func perPartInitializationsParseSchemeAndScale() {
        #expect(InitScheme.initialization(parsing: "normal:1") == .normal(scale: 1))
        #expect(InitScheme.initialization(parsing: "normal") == .normal(scale: 0.01))
        #expect(InitScheme.initialization(parsing: "uniform:0.05") == .uniform(bound: 0.05))
        #expect(InitScheme.initialization(parsing: "xavier") == .xavierUniform)
        #expect(InitScheme.initialization(parsing: "pytorch") == .pytorch)
        for bad in ["gaussian:1", "normal:0", "uniform:-1", "uniform:x", "xavier:2", "pytorch:1", "normal:", ""] {
            #expect(InitScheme.initialization(parsing: bad) == nil, "\(bad)")
        }
    }
}
