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

/// AWD-LSTM's variable-length windows and fine-tuning stage, validated once by key path.
@Suite struct AWDSettingsTests {
    func settings(_ change: (inout TrainingSettings) -> Void) -> TrainingSettings {
        var s = TrainingSettings(corpus: "c")
        s.data.sampler = .parallel
        change(&s)
        return s
    }

    func key(_ s: TrainingSettings) -> String? {
        do { try s.validate(); return nil } catch let error as SettingsError { return error.key } catch { return "\(error)" }
    }

    @Test func variableStepsAreCheckedByKeyPath() {
        #expect(key(settings { $0.data.variableSteps = .awd }) == nil)
        #expect(key(settings { $0.data.variableSteps = .init(halfProbability: 1.5, spread: 5) }) == "data.variableSteps.halfProbability")
        #expect(key(settings { $0.data.variableSteps = .init(halfProbability: 0.05, spread: -1) }) == "data.variableSteps.spread")
        #expect(key(settings { $0.data.variableSteps = .init(halfProbability: 0.05, spread: .nan) }) == "data.variableSteps.spread")
        #expect(key(settings { $0.data.variableSteps = .awd; $0.data.sampler = .sequential }) == "data.variableSteps")
        #expect(settings { $0.data.steps = 70; $0.data.variableSteps = .awd }.data.longestWindow == 90)
        #expect(settings { $0.data.steps = 70 }.data.longestWindow == 70)
    }

    @Test func variableStepsParse() {
        #expect(DataSettings.VariableSteps(parsing: "0.05,5") == .awd)
        for bad in ["0.05", "0.05,5,1", "a,5", "", "0.05;5"] { #expect(DataSettings.VariableSteps(parsing: bad) == nil, "\(bad)") }
    }

    @Test func aFinetuneStageNeedsSGDAndADirectoryOfItsOwn() {
        #expect(key(settings { $0.run.start = .finetune(from: "runs/a"); $0.run.output = "runs/b" }) == nil)
        #expect(key(settings { $0.run.start = .finetune(from: "runs/a") }) == "run.output")
        #expect(key(settings { $0.run.start = .finetune(from: "runs/a"); $0.run.output = "runs/./a" }) == "run.output")
        #expect(key(settings { $0.run.start = .finetune(from: ""); $0.run.output = "runs/b" }) == "run.start")
        #expect(key(settings { $0.run.start = .finetune(from: "runs/a"); $0.run.output = "runs/b"; $0.optimizer = OptimizerSettings(kind: .adam) }) == "run.start")
    }

    @Test func theNewSettingsRoundTripThroughJSON() throws {
        let s = settings { $0.data.variableSteps = .awd; $0.run.start = .finetune(from: "runs/a"); $0.run.output = "runs/b" }
        #expect(try JSONDecoder().decode(TrainingSettings.self, from: try JSONEncoder().encode(s)) == s)
    }
}
