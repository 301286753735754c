@_exported import LMSettings
import LMModelFiles

// The umbrella re-exports the settings layer whole (TrainingSettings and its parts are the
// API for saying what to train) and names the few other types a program handles.

/// One epoch's figures: perplexities, tokens/s, learning rate, elapsed seconds.
public typealias EpochReport = LMModelFiles.EpochReport
/// Everything a run directory's `config.json` holds: the model's architecture and the
/// training settings.
public typealias RunConfig = LMModelFiles.RunConfig
