/// The model's settings (``ModelConfig``, ``Dropout``, the initializations and the adaptive
/// softmax's shape) live in LMSettings, below this layer; every user of the models sees them.
@_exported import LMSettings
