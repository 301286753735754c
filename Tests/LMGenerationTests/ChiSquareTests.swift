import Testing

/// The test's own statistics, checked against published chi-square tables.
@Suite struct ChiSquareTests {
    @Test func criticalValuesMatchTables() {
        // χ²(0.999) quantiles: df 1 → 10.828, 2 → 13.816, 5 → 20.515, 9 → 27.877, 10 → 29.588.
        for (df, table) in [(1, 10.828), (2, 13.816), (5, 20.515), (9, 27.877), (10, 29.588)] {
            #expect(abs(chiSquareCriticalValue(degreesOfFreedom: df, alpha: 0.001) - table) < 0.002, "df \(df)")
        }
        // p-value of the median of χ²(9) (8.343) is 0.5.
        #expect(abs(regularizedUpperGamma(4.5, 8.343 / 2) - 0.5) < 1e-3)
    }

    @Test func detectsAWrongDistribution() {
        // Counts drawn from one distribution fail against another.
        let observed = [30_000, 30_000, 40_000]
        #expect(chiSquareTest(observed: observed, expected: [1.0 / 3, 1.0 / 3, 1.0 / 3]).pValue < 1e-10)
        #expect(chiSquareTest(observed: observed, expected: [0.3, 0.3, 0.4]).pValue > 0.99)
        #expect(chiSquareTest(observed: [1, 9], expected: [0, 1]).pValue == 0)
    }
}
