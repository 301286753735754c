import Foundation

extension ModelConfig {
    /// An adaptive softmax head's shape (Grave et al. 2017; PyTorch's
    /// `nn.AdaptiveLogSoftmaxWithLoss` with its defaults): `config.json` key `"adaptiveSoftmax"`,
    /// `{"cutoffs": [c_1, …, c_n], "divValue": 4}`.
    ///
    /// Token ids 0..<c_1 are the head's shortlist; cluster i (0-based) holds ids
    /// c_{i+1}..<c_{i+2} (the last one up to V). The head is H → c_1 + n logits (the shortlist,
    /// then one per cluster); cluster i is a projection H → ⌊H / divValue^(i+1)⌋ followed by a
    /// map to its size. No part has a bias (PyTorch's `head_bias=False`). The cutoffs index
    /// the vocabulary's ids, so they mean "the c most frequent tokens" only for a vocabulary in
    /// frequency order (LMKit's built vocabularies: `<unk>`, reserved tokens, then descending
    /// frequency).
    public struct AdaptiveSoftmax: Codable, Equatable, Sendable {
        /// c_1 < … < c_n, each in 1..<V.
        public var cutoffs: [Int]
        /// Each cluster's projection is `divValue` times narrower than the previous one's
        /// (JSON `divValue`, default 4).
        public var divValue: Double

        /// Settings for `cutoffs` and `divValue`; ``validate(vocabularySize:hiddenSize:)`` checks them.
        public init(cutoffs: [Int], divValue: Double = 4) {
            self.cutoffs = cutoffs
            self.divValue = divValue
        }

        private enum CodingKeys: String, CodingKey { case cutoffs, divValue }

        /// Decodes settings; `divValue` may be omitted (4).
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            cutoffs = try c.decode([Int].self, forKey: .cutoffs)
            divValue = try c.decodeIfPresent(Double.self, forKey: .divValue) ?? 4
        }

        /// Number of tail clusters n.
        public var clusterCount: Int { cutoffs.count }

        /// The head's logits: the shortlist c_1 plus one per cluster.
        public var headSize: Int { cutoffs[0] + cutoffs.count }

        /// Cluster `i`'s token ids (0-based cluster index) for a vocabulary of `vocabularySize`.
        public func clusterRange(_ i: Int, vocabularySize: Int) -> Range<Int> {
            cutoffs[i]..<(i + 1 < cutoffs.count ? cutoffs[i + 1] : vocabularySize)
        }

        /// Cluster `i`'s projection width ⌊H / divValue^(i+1)⌋, as PyTorch computes it.
        public func projectionSize(_ i: Int, hiddenSize: Int) -> Int {
            Int((Double(hiddenSize) / Foundation.pow(divValue, Double(i + 1))).rounded(.down))
        }

        /// Throws ``SettingsError`` (keys `model.adaptiveSoftmax.*`) unless the cutoffs are
        /// increasing in 1..<V and every projection is at least 1 wide.
        func validate(vocabularySize v: Int, hiddenSize h: Int) throws {
            let list = cutoffs.map(String.init).joined(separator: ",")
            let key = "model.adaptiveSoftmax.cutoffs"
            guard !cutoffs.isEmpty else {
                throw SettingsError(.outOfRange, key, "\(setting: key) needs at least one cutoff")
            }
            guard zip(cutoffs, cutoffs.dropFirst()).allSatisfy({ $0 < $1 }), cutoffs[0] > 0, cutoffs[cutoffs.count - 1] < v else {
                throw SettingsError(.outOfRange, key, "\(setting: key) \(list) must increase strictly and lie in 1..<\(v) (the vocabulary size)")
            }
            guard divValue > 0 && divValue.isFinite else {
                throw SettingsError(.outOfRange, "model.adaptiveSoftmax.divValue", "\(setting: "model.adaptiveSoftmax.divValue") \(divValue) must be a positive number")
            }
            for i in 0..<cutoffs.count where projectionSize(i, hiddenSize: h) < 1 {
                throw SettingsError(.outOfRange, "model.adaptiveSoftmax.divValue", "adaptive softmax cluster \(i) would project \(setting: "model.hiddenSize") \(h) to ⌊\(h) / \(divValue)^\(i + 1)⌋ = 0 units; lower \(setting: "model.adaptiveSoftmax.divValue") or give fewer cutoffs")
            }
        }
    }
}
