/// Ends a choice at the first of its stop sequences, as OpenAI's `stop`: the text sent never
/// includes the stop sequence, and text that might be the start of one is held back until the
/// next piece decides (so a stream never sends what the whole text would not contain).
struct StopSequences {
    let stops: [String]
    private var pending = ""

    init(_ stops: [String]) { self.stops = stops.filter { !$0.isEmpty } }

    /// Adds a piece of text; returns what can be sent now and whether a stop sequence was met
    /// (then nothing more is sent for this choice).
    mutating func feed(_ piece: String) -> (text: String, stopped: Bool) {
        guard !stops.isEmpty else { return (piece, false) }
        pending += piece
        let first = stops.compactMap { pending.range(of: $0) }.min { $0.lowerBound < $1.lowerBound }
        if let first {
            let text = String(pending[..<first.lowerBound])
            pending = ""
            return (text, true)
        }
        // Hold back the longest tail that a stop sequence starts with.
        var held = pending.endIndex
        for stop in stops {
            var start = pending.index(pending.endIndex, offsetBy: -min(stop.count - 1, pending.count))
            while start < pending.endIndex {
                if stop.hasPrefix(pending[start...]) {
                    held = min(held, start)
                    break
                }
                start = pending.index(after: start)
            }
        }
        let text = String(pending[..<held])
        pending = String(pending[held...])
        return (text, false)
    }

    /// What was held back, at the end of the choice.
    mutating func flush() -> String {
        defer { pending = "" }
        return pending
    }
}
