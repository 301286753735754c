import Foundation
import Testing

/// `lm-train --task counting|adding|binary-add` run as a user would, at small sizes.
@Suite struct ToyTaskEndToEndTests {
    let train = Tool(name: "lm-train")

    @Test func binaryAdditionWithTheTutorialSettingsGetsEveryFreshSumExact() throws {
        let result = try train.run(["--task", "binary-add"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("rmsprop lr 0.05 λ 0.5, Nesterov momentum 0.8"))
        #expect(result.stdout.contains("epoch 20/20"))
        #expect(result.stdout.contains("test: 1000/1000 sums exact (100.0%)"), "\(result.stdout)")
    }

    @Test func addingProblemBeatsTheBaseline() throws {
        let result = try train.run(["--task", "adding", "--model", "gru", "--hidden", "24", "--samples", "2000",
                                    "--epochs", "6", "--batch", "50", "--lr", "0.003"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("task adding: T = 6, 2000 training and 1000 test sequences"))
        #expect(result.stdout.contains("regression head"))
        #expect(result.stdout.contains("epoch 6/6  train MSE"))
        #expect(result.stdout.contains("below the 0.1767 baseline") && !result.stdout.contains("NOT below"), "\(result.stdout)")
    }

    @Test func countingPrintsTheTableAndWritesARun() throws {
        let work = Tool.temporaryDirectory()
        let result = try train.run(["--task", "counting", "--epochs", "2", "--hidden", "24", "--embedding", "12",
                                    "--lr", "0.003", "--out", "runs/c"], in: work)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("task counting: vocabulary 10, 4500 training and 4500 validation tokens"))
        #expect(result.stdout.contains("epoch   train loss   val loss   val accuracy"))
        #expect(result.stdout.contains("validation accuracy") && result.stdout.contains("over 4500 predictions (best "))
        #expect(result.stdout.contains("init chainer"))
        #expect(FileManager.default.fileExists(atPath: work + "/runs/c/config.json"))
        #expect(FileManager.default.fileExists(atPath: work + "/runs/c/model.safetensors"))
        let again = try train.run(["--task", "counting", "--epochs", "1", "--out", "runs/c"], in: work)
        #expect(again.status == 1)
        #expect(again.stderr.contains("already holds a run; pass --overwrite"))
    }

    @Test func flagsThatDoNotApplyAreRefused() throws {
        let steps = try train.run(["--task", "adding", "--steps", "5"])
        #expect(steps.status != 0)
        #expect(steps.stderr.contains("give the sequence length of --task adding with --length"))
        let length = try train.run(["--task", "counting", "--length", "5"])
        #expect(length.status != 0)
        #expect(length.stderr.contains("--length and --samples apply to --task adding and binary-add"))
        let short = try train.run(["--task", "binary-add", "--length", "1"])
        #expect(short.status != 0)
        #expect(short.stderr.contains("--length must be at least 2"))
    }
}
