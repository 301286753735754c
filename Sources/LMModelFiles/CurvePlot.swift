import Foundation

/// `curve.svg`: training and validation perplexity against epoch, with labelled axes.
public enum CurvePlot {
    /// The SVG text for `reports`.
    public static func svg(_ reports: [EpochReport], title: String) -> String {
        let width = 640.0, height = 400.0
        let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let epochs = reports.map { Double($0.epoch) }
        let values = reports.map(\.trainPerplexity) + reports.compactMap(\.validationPerplexity)
        let xMax = max(epochs.max() ?? 1, 1)
        let (yMin, yMax, yStep) = niceRange(low: min(values.min() ?? 1, 1), high: max(values.max() ?? 2, 1.5))
        let (_, _, xStep) = niceRange(low: 0, high: xMax)
        func x(_ epoch: Double) -> Double { left + plotWidth * (xMax <= 1 ? 0.5 : (epoch - 1) / (xMax - 1)) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - (value - yMin) / (yMax - yMin)) }
        func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.2g", v) }

        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="22" text-anchor="middle" font-size="14">\(escape(title))</text>

        """
        var tick = yMin
        while tick <= yMax + yStep / 2 {
            svg += "<line x1=\"\(left)\" y1=\"\(y(tick))\" x2=\"\(left + plotWidth)\" y2=\"\(y(tick))\" stroke=\"#ddd\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(y(tick) + 4)\" text-anchor=\"end\">\(format(tick))</text>\n"
            tick += yStep
        }
        var epochTick = max(xStep, 1)
        svg += "<text x=\"\(x(1))\" y=\"\(top + plotHeight + 18)\" text-anchor=\"middle\">1</text>\n"
        while epochTick <= xMax {
            if epochTick > 1 {
                svg += "<line x1=\"\(x(epochTick))\" y1=\"\(top)\" x2=\"\(x(epochTick))\" y2=\"\(top + plotHeight)\" stroke=\"#eee\"/>"
                svg += "<text x=\"\(x(epochTick))\" y=\"\(top + plotHeight + 18)\" text-anchor=\"middle\">\(format(epochTick))</text>\n"
            }
            epochTick += max(xStep, 1)
        }
        svg += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"black\"/>\n"
        svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">epoch</text>\n"
        svg += "<text transform=\"translate(18 \(top + plotHeight / 2)) rotate(-90)\" text-anchor=\"middle\">perplexity</text>\n"
        func polyline(_ points: [(Double, Double)], color: String) -> String {
            guard !points.isEmpty else { return "" }
            let list = points.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
            return "<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
        }
        svg += polyline(reports.map { (Double($0.epoch), $0.trainPerplexity) }, color: "#1f77b4")
        let validation = reports.compactMap { r in r.validationPerplexity.map { (Double(r.epoch), $0) } }
        svg += polyline(validation, color: "#ff7f0e")
        svg += "<line x1=\"\(left + plotWidth - 150)\" y1=\"\(top + 15)\" x2=\"\(left + plotWidth - 125)\" y2=\"\(top + 15)\" stroke=\"#1f77b4\" stroke-width=\"2\"/>"
        svg += "<text x=\"\(left + plotWidth - 120)\" y=\"\(top + 19)\">train</text>\n"
        if !validation.isEmpty {
            svg += "<line x1=\"\(left + plotWidth - 150)\" y1=\"\(top + 33)\" x2=\"\(left + plotWidth - 125)\" y2=\"\(top + 33)\" stroke=\"#ff7f0e\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(left + plotWidth - 120)\" y=\"\(top + 37)\">validation</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// A range covering [low, high] with a round step (1, 2 or 5 × 10ⁿ), about 5 ticks.
    static func niceRange(low: Double, high: Double) -> (Double, Double, Double) {
        let span = max(high - low, 1e-9)
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2.0, 5.0, 10.0].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        return (floor(low / step) * step, ceil(high / step) * step, step)
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
