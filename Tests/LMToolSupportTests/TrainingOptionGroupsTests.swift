import LMSettings
import LMText
import Testing
@testable import LMToolSupport

/// `lm-train`'s flags as settings: what is not given takes d2l 9.5's defaults.
@Suite struct TrainingOptionGroupsTests {
    /// The settings of an `lm-train c.txt` command line with these flags of each group.
    func settings(model: [String] = [], data: [String] = [], optimizer: [String] = []) throws -> TrainingSettings {
        TrainingSettings(model: try ModelOptions.parse(model).model(dropout: try DropoutOptions.parse([])),
                         data: try DataOptions.parse(["c.txt"] + data).data, optimizer: try OptimizerOptions.parse(optimizer).settings,
                         schedule: try ScheduleOptions.parse([]).schedule, run: try RunOptions.parse([]).run)
    }

    @Test func unsetValuesTakeD2LsDefaults() throws {
        let s = try settings()
        #expect(s == TrainingSettings(corpus: "c.txt"))
        #expect(s.model == ModelConfig(kind: .rnn, vocabularySize: 1, hiddenSize: 512, initialization: .normal(scale: 0.01)))
        #expect(s.data.pipeline.applied(to: TextPipeline()) == TextPipeline(preprocessor: Preprocessor(preset: .d2l), level: .char))
        #expect(try settings(data: ["--batch", "8"]).data.batch == 8)
    }

    @Test func gatedCellsDefaultTo256HiddenUnits() throws {
        #expect(try settings(model: ["--model", "gru"]).model.hiddenSize == 256)
        #expect(try settings(model: ["--model", "lstm"]).model.hiddenSize == 256)
        #expect(try settings(model: ["--model", "lstm", "--hidden", "32"]).model.hiddenSize == 32)
        #expect(TrainingSettings(corpus: "c.txt", kind: .lstm).model.hiddenSize == 256)
    }

    /// `--model` takes exactly the registry's kinds, and lists them.
    @Test func theCellKindIsParsedThroughTheRegistry() throws {
        #expect(ModelConfig.Kind.allValueStrings == ["rnn", "gru", "lstm"])
        #expect(try settings(model: ["--model", "lstm"]).model.kind == .lstm)
        #expect(ModelConfig.Kind(argument: "peephole") == nil)
        #expect(throws: (any Error).self) { try ModelOptions.parse(["--model", "peephole"]) }
    }

    /// Settings errors that were argument errors before the settings layer are still reported
    /// as usage errors; the others are not.
    @Test func someSettingsErrorsAreUsageErrors() throws {
        /// Whether the check's error is a usage error (nil: no error).
        func usage(_ check: () throws -> Void) -> Bool? {
            do { try check(); return nil } catch { return SettingsFlags.isUsageError(error) }
        }
        let narrow = try settings(model: ["--hidden", "0"]), negative = try settings(optimizer: ["--lr", "-1"])
        #expect(usage { try narrow.model.validate() } == true)
        #expect(usage { try negative.optimizer.validate() } == false)
        #expect(!SettingsFlags.isUsageError(CancellationError()))
    }

    @Test func theLearningRateDefaultsToTheOptimizers() throws {
        #expect(try settings(optimizer: ["--optimizer", "adam"]).optimizer.lr == 0.001)
        #expect(try settings(optimizer: ["--optimizer", "rmsprop"]).optimizer.lr == 0.01)
        #expect(try settings(optimizer: ["--optimizer", "adam", "--lr", "0.3"]).optimizer.lr == 0.3)
    }

    @Test func initSchemesAndTheirScales() throws {
        #expect(try settings(model: ["--init", "normal", "--init-scale", "0.1"]).model.initialization == .normal(scale: 0.1))
        #expect(try settings(model: ["--init", "xavier", "--init-scale", "3"]).model.initialization == .xavierUniform)
        #expect(try settings(model: ["--init", "uniform"]).model.initialization == .uniform(bound: 0.1))
        #expect(try settings(model: ["--init", "uniform", "--init-scale", "0.5"]).model.initialization == .uniform(bound: 0.5))
        #expect(try settings(model: ["--init", "pytorch"]).model.initialization == .pytorch)
    }

    @Test func maxTokensZeroKeepsTheWholeCorpus() throws {
        #expect(try settings(data: ["--max-tokens", "0"]).data.maxTokens == 0)
        #expect(try settings(data: ["--max-tokens", "500"]).data.maxTokens == 500)
        #expect(try settings().data.maxTokens == nil)   // the corpus decides: 10,000, or all of one with splits
    }

    @Test func dropoutFlagsSetEveryPlaceThePerPlaceOnesOverride() throws {
        let model = try ModelOptions.parse(["--embedding", "4"])
        let all = model.model(dropout: try DropoutOptions.parse(["--dropout-locked", "0.3", "--dropout-hidden", "0.1"])).dropout
        #expect(all == Dropout(input: 0.3, hidden: 0.1, output: 0.3, locked: true))
        let oneHot = try ModelOptions.parse([]).model(dropout: try DropoutOptions.parse(["--dropout", "0.2"])).dropout
        #expect(oneHot == Dropout(input: 0, hidden: 0.2, output: 0.2))
    }

    /// `--hidden` takes one width or one per layer (which sets the layer count unless `--layers`
    /// is given); `--ar` and `--tar` set the activation regularization; their errors name the flags.
    @Test func perLayerWidthsAndActivationRegularization() throws {
        let awd = try settings(model: ["--model", "lstm", "--embedding", "400", "--hidden", "1150,1150,400", "--tied", "--ar", "2", "--tar", "1"])
        #expect(awd.model.layerWidths == .perLayer([1150, 1150, 400]) && awd.model.layers == 3 && awd.model.tied)
        #expect(awd.model.activationRegularization == ModelConfig.ActivationRegularization(ar: 2, tar: 1))
        #expect(throws: Never.self) { try awd.validate() }
        let equal = try settings(model: ["--hidden", "400,400"]).model
        #expect(equal.layerWidths == .uniform(400) && equal.layers == 2)
        let deep = try settings(model: ["--hidden", "8", "--layers", "3"]).model
        #expect(deep.layerWidths == .uniform(8) && deep.layers == 3)
        #expect(try settings().model.activationRegularization == .off)
        #expect(throws: (any Error).self) { try ModelOptions.parse(["--hidden", "5,x"]) }
        #expect(throws: (any Error).self) { try ModelOptions.parse(["--hidden", "5,,3"]) }
        func message(_ model: [String], usage: Bool = true) throws -> String {
            do { try settings(model: model).validate(); return "" } catch {
                #expect(SettingsFlags.isUsageError(error) == usage)
                return SettingsFlags.message(for: error)
            }
        }
        #expect(try message(["--hidden", "5,3", "--layers", "3"]) == "--hidden lists 2 widths but --layers is 3; give one width per layer")
        #expect(try message(["--ar", "-1"]) == "--ar -1.0: a regularization weight must be finite and at least 0")
        #expect(try message(["--tar", "nan"]) == "--tar nan: a regularization weight must be finite and at least 0")
        #expect(try message(["--embedding", "400", "--hidden", "400,1150", "--tied"], usage: false).hasPrefix("--tied reuses the V × E embedding as the output weights, so the top layer's --hidden (1150) must equal --embedding (400)"))
    }

    @Test func timeBudgetAndProgressSchedulesFromTheirFlags() throws {
        #expect(try RunOptions.parse([]).run.timeBudget == nil)
        #expect(try RunOptions.parse(["--time-budget", "60"]).run.timeBudget == 60)
        #expect(try ScheduleOptions.parse(["--lr-schedule", "cosine:0.1:0.02"]).schedule == .cosine(floor: 0.1, warmup: 0.02))
        #expect(try ScheduleOptions.parse(["--lr-schedule", "linear"]).schedule == .linear(floor: 0, warmup: 0))
        #expect(throws: (any Error).self) { try ScheduleOptions.parse(["--lr-schedule", "cosine:a"]) }
        var s = TrainingSettings(corpus: "c.txt")
        s.run.timeBudget = -5
        do { try s.validate() } catch { #expect(SettingsFlags.message(for: error) == "--time-budget must be a positive number of minutes (got -5.0)") }
    }

    @Test func settingsErrorsNameTheFlag() throws {
        var s = TrainingSettings(corpus: "c.txt")
        s.optimizer.lr = -1
        #expect(throws: SettingsError.self) { try s.validate() }
        do { try s.validate() } catch { #expect(SettingsFlags.message(for: error) == "--lr must be positive (got -1.0)") }
        #expect(SettingsFlags.flagged("lower data.batch or data.steps (x.data.batch and a schedule stay)") == "lower --batch or --steps (x.data.batch and a schedule stay)")
        #expect(SettingsFlags.flagged("sampling.topK/sampling.topP need sampling.strategy top-k") == "--top-k/--top-p need --strategy top-k")
        #expect(SettingsFlags.flagged("model.adaptiveSoftmax.divValue and model.adaptiveSoftmax") == "--adaptive-div and --adaptive-softmax")
    }
}

/// `--variable-steps` and `--finetune` as settings, and their errors named by flag.
@Suite struct AWDOptionTests {
    @Test func theFlagsSetTheSettings() throws {
        let data = try DataOptions.parse(["c.txt", "--sampler", "parallel", "--steps", "70", "--variable-steps", "0.05,5"]).data
        #expect(data.variableSteps == .awd && data.steps == 70)
        #expect(try DataOptions.parse(["c.txt"]).data.variableSteps == nil)
        #expect(throws: (any Error).self) { try DataOptions.parse(["c.txt", "--variable-steps", "0.05"]) }
        let run = try RunOptions.parse(["--finetune", "runs/awd", "--out", "runs/awd-ft"]).run
        #expect(run.start == .finetune(from: "runs/awd") && run.output == "runs/awd-ft")
        #expect(try RunOptions.parse([]).run.start == .fresh)
    }

    /// What lm-train says of the settings' error ("accepted" when there is none).
    func message(_ s: TrainingSettings) -> String {
        do { try s.validate(); return "accepted" } catch { return SettingsFlags.message(for: error) }
    }

    @Test func errorsNameTheFlags() throws {
        var s = TrainingSettings(corpus: "c.txt")
        s.data.variableSteps = .awd
        #expect(message(s) == "--variable-steps walks the rows of --sampler parallel (AWD-LSTM's layout); sequential windows have a fixed length")
        s.data.variableSteps = .init(halfProbability: 2, spread: 5)
        s.data.sampler = .parallel
        #expect(message(s) == "--variable-steps 2.0: the half length's probability must be in [0, 1]")
        s = TrainingSettings(corpus: "c.txt")
        s.run.start = .finetune(from: "runs/a")
        #expect(message(s) == "--finetune runs/a writes a new run: give --out, a directory other than runs/a")
        #expect(SettingsFlags.flagged("run.start runs/a: no such directory") == "--finetune runs/a: no such directory")
    }
}
