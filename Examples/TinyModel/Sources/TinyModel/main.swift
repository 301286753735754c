import LMKit

// Train a small LSTM on the time machine for a few epochs.
var settings = TrainingSettings(corpus: "timemachine")
settings.model.kind = .lstm
settings.model.hiddenSize = 64
settings.data.maxTokens = 20_000
settings.run.epochs = 5
settings.run.output = "runs/example"
settings.run.overwrite = true
let model = try LanguageModel.train(settings) { report in
    print("epoch \(report.epoch): perplexity \(report.trainPerplexity)")
}

// Sample from it, token by token, and score a sentence.
try model.generate(prefix: "time traveller", length: 40, sampling: .temperature(0.8), seed: 7) { piece in
    print(piece, terminator: "")
}
print("\nperplexity: \(try model.score("the time machine").perplexity)")
