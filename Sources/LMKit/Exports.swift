import LMModelFiles
import LMModels

/// One epoch's figures: perplexities, tokens/s, learning rate, elapsed seconds.
public typealias EpochReport = LMModelFiles.EpochReport
/// A model's architecture: cell kind, widths, layers, dropout, head.
public typealias ModelConfig = LMModels.ModelConfig
/// Everything a run directory's `config.json` holds.
public typealias RunConfig = LMModelFiles.RunConfig
