import Foundation
import LMData
@testable import LMGeneration

/// A small seeded generator for reproducible tests (SplitMix64, the step LMData seeds its generator with).
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 { RandomGenerator.splitMix64(&state) }
}

/// Fixed logits for the statistical tests: 10 tokens, distinct values, one clear best.
let fixedLogits: [Float] = [2.0, 1.0, 0.5, 0.0, -0.5, -1.0, 3.0, 0.25, -2.0, 1.5]

/// softmax(z / T) computed directly, in Double.
func softmax(_ z: [Float], temperature: Double = 1) -> [Double] {
    let m = Double(z.max()!)
    let e = z.map { Foundation.exp((Double($0) - m) / temperature) }
    let s = e.reduce(0, +)
    return e.map { $0 / s }
}

/// `p` restricted to the ids in `kept` and renormalized (0 elsewhere): what top-k and top-p draw from.
func restricted(_ p: [Double], to kept: [Int]) -> [Double] {
    let mass = kept.reduce(0) { $0 + p[$1] }
    return p.indices.map { kept.contains($0) ? p[$0] / mass : 0 }
}

/// Counts of `n` draws of `sampler` on `logits`.
func counts<S: LogitSampler>(_ sampler: inout S, _ logits: [Float], draws n: Int, seed: UInt64) -> [Int] {
    var rng = SplitMix64(seed: seed)
    var c = [Int](repeating: 0, count: logits.count)
    logits.withUnsafeBufferPointer { z in
        for _ in 0..<n { c[sampler.sample(z, using: &rng)] += 1 }
    }
    return c
}

/// Pearson's chi-square goodness-of-fit test of `observed` counts against `expected`
/// probabilities. Categories with zero probability must have no observations (else the
/// p-value is 0); they do not count towards the degrees of freedom.
func chiSquareTest(observed: [Int], expected p: [Double]) -> (statistic: Double, degreesOfFreedom: Int, pValue: Double) {
    let n = Double(observed.reduce(0, +))
    var statistic = 0.0
    var categories = 0
    for (o, q) in zip(observed, p) {
        if q == 0 {
            if o > 0 { return (.infinity, 0, 0) }
            continue
        }
        let e = n * q
        statistic += (Double(o) - e) * (Double(o) - e) / e
        categories += 1
    }
    let df = categories - 1
    guard df > 0 else { return (statistic, 0, 1) }
    return (statistic, df, regularizedUpperGamma(Double(df) / 2, statistic / 2))
}

/// Q(a, x) = Γ(a, x) / Γ(a), the chi-square survival function at 2x with 2a degrees of
/// freedom (Numerical Recipes §6.2: series for x < a + 1, continued fraction otherwise).
func regularizedUpperGamma(_ a: Double, _ x: Double) -> Double {
    if x <= 0 { return 1 }
    let lnGammaA = Foundation.log(Foundation.tgamma(a))   // a ≤ 85 here (df ≤ 170)
    if x < a + 1 {
        var sum = 1 / a, term = sum, ap = a
        for _ in 0..<10_000 {
            ap += 1
            term *= x / ap
            sum += term
            if abs(term) < abs(sum) * 1e-15 { break }
        }
        return 1 - sum * Foundation.exp(-x + a * Foundation.log(x) - lnGammaA)
    }
    let tiny = 1e-300
    var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
    for i in 1..<10_000 {
        let an = -Double(i) * (Double(i) - a)
        b += 2
        d = an * d + b
        if abs(d) < tiny { d = tiny }
        c = b + an / c
        if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15 { break }
    }
    return Foundation.exp(-x + a * Foundation.log(x) - lnGammaA) * h
}

/// The critical value of the chi-square distribution at `df` degrees of freedom for
/// significance `alpha` (bisection on ``regularizedUpperGamma(_:_:)``).
func chiSquareCriticalValue(degreesOfFreedom df: Int, alpha: Double) -> Double {
    var lo = 0.0, hi = 1000.0
    for _ in 0..<200 {
        let mid = (lo + hi) / 2
        if regularizedUpperGamma(Double(df) / 2, mid / 2) > alpha { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
}

/// Draws per statistical test (the acceptance: 100,000).
let statisticalDraws = 100_000
/// Significance of the goodness-of-fit tests: the sampler passes when p > 0.001.
let significance = 0.001
