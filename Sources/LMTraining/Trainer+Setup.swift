import LMData
import LMModelFiles

extension Trainer {
    /// The generators a seed gives: one for the model's initial weights, one for the sampler,
    /// one for the dropout seed (forked last, so the first two do not depend on it).
    /// Evaluation and samples draw from none, so they cannot change a training batch.
    public static func generators(seed: UInt64) -> (initialization: RandomGenerator, sampling: RandomGenerator,
                                                    dropout: RandomGenerator) {
        var root = RandomGenerator(seed: seed)
        let initialization = root.fork()
        let sampling = root.fork()
        let dropout = root.fork()
        return (initialization, sampling, dropout)
    }

    /// The seed of a run's dropout masks (``DropoutKey/seed``): the dropout generator's first draw.
    public static func dropoutSeed(seed: UInt64) -> UInt64 {
        var g = generators(seed: seed).dropout
        return g.next()
    }

    /// The optimizer the options ask for, with their weight decay. (NT-ASGD's average is not
    /// an optimizer: the trainer's NT-ASGD hook keeps it after every update.)
    public static func makeOptimizer(_ options: TrainingOptions) -> any Optimizer {
        let decay = options.weightDecay ?? 0
        switch options.optimizer {
        case .sgd: return SGD(learningRate: options.lr, weightDecay: decay)
        case .adam: return Adam(learningRate: options.lr, weightDecay: decay)
        case .rmsprop: return RMSProp(learningRate: options.lr, decay: options.rmspropDecay ?? 0.9, momentum: options.momentum, nesterov: options.nesterov, weightDecay: decay)
        }
    }
}
