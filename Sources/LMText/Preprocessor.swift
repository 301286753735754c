import CUtf8proc
import Foundation

/// Line-by-line text clean-up before tokenization: Unicode normalization and case folding
/// through utf8proc, then an optional filter that keeps only letters.
///
/// Presets:
/// - `d2l`: exactly d2l's `re.sub('[^A-Za-z]+', ' ', line).strip().lower()`: every run of
///   code points that are not ASCII letters becomes one space, the ends are stripped, then the
///   letters kept are lowercased (so the Kelvin sign, İ, ß, ﬁ and ſ are dropped, not folded to
///   ASCII letters: the ASCII-letters filter always comes before folding). Lines are then
///   tokenized separately and their tokens joined with nothing in between, as
///   `load_corpus_time_machine` does.
/// - `unicode`: the same idea for every script: NFKC with case folding (joiners kept, so emoji
///   sequences survive), then grapheme clusters that are letters or emoji are kept and every
///   other run becomes one space, ends stripped.
/// - `raw`: the text as it is, line ends included (char-rnn style).
public struct Preprocessor: Codable, Sendable, Equatable {
    /// Unicode normalization form applied first.
    public enum Normalization: String, Codable, Sendable, CaseIterable {
        case none, nfc, nfkc
    }
    /// Which grapheme clusters survive; the rest collapse to single spaces.
    public enum Filter: String, Codable, Sendable, CaseIterable {
        /// Keep everything, line ends included.
        case none
        /// Keep ASCII letters A–Z, a–z (d2l).
        case asciiLetters = "ascii-letters"
        /// Keep letters of every script and emoji.
        case letters
    }
    /// Named settings.
    public enum Preset: String, Codable, Sendable, CaseIterable {
        case d2l, unicode, raw
    }

    /// The preset these settings started from (recorded for the user; the fields below rule).
    public var preset: Preset
    public var normalization: Normalization
    /// Case folding (full Unicode folding; for ASCII it is lowercasing).
    public var caseFold: Bool
    public var filter: Filter

    /// The settings of a preset.
    public init(preset: Preset) {
        self.preset = preset
        switch preset {
        case .d2l: normalization = .none; caseFold = true; filter = .asciiLetters
        case .unicode: normalization = .nfkc; caseFold = true; filter = .letters
        case .raw: normalization = .none; caseFold = false; filter = .none
        }
    }

    /// Explicit settings.
    public init(preset: Preset, normalization: Normalization, caseFold: Bool, filter: Filter) {
        self.preset = preset
        self.normalization = normalization
        self.caseFold = caseFold
        self.filter = filter
    }

    /// Whether the output of `process` can contain line ends (only without a filter).
    public var keepsLineEnds: Bool { filter == .none }

    /// Preprocesses one line (`line` must be valid UTF-8 and may end with its line terminator)
    /// into `output`, which is cleared first. Returns true when the output is pure ASCII.
    /// `scratch` is a reusable buffer so that no allocation happens per line on the ASCII path.
    @discardableResult
    public func process(_ line: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) -> Bool {
        var state = LineState()
        return process(line, continuing: &state, into: &output)
    }

    /// What a filter carries from one piece of a line to the next, so that a long line cut
    /// into pieces (at a point between two ASCII characters) gives the same output as whole.
    public struct LineState: Sendable, Equatable {
        /// Whether anything was output for this line yet.
        public var emitted = false
        /// Whether a run of dropped characters waits to become one space.
        public var pendingSpace = false
        /// A fresh line.
        public init() {}
    }

    /// Preprocesses the next piece of a line, continuing `state` (fresh for a line's first
    /// piece); `output` holds this piece's output only.
    @discardableResult
    public func process(_ line: UnsafeBufferPointer<UInt8>, continuing state: inout LineState,
                        into output: inout [UInt8]) -> Bool {
        output.removeAll(keepingCapacity: true)
        defer { if !output.isEmpty { state.emitted = true } }
        var isASCII = true
        for byte in line where byte >= 0x80 { isASCII = false; break }
        if isASCII {
            processASCII(line, state: &state, into: &output)
            return true
        }
        // Non-ASCII: normalize and fold through utf8proc, then filter by grapheme clusters. The
        // ASCII-letters filter comes before folding, as d2l's `re.sub(…).strip().lower()`: it
        // keeps ASCII only, so it folds the letters it keeps (the Kelvin sign, İ, ß, ﬁ and ſ,
        // which folding would turn into ASCII letters, are dropped as d2l drops them).
        let mapped = mapped(line, folding: caseFold && filter != .asciiLetters)
        mapped.withUnsafeBufferPointer { buffer in
            switch filter {
            case .none:
                output.append(contentsOf: buffer)
            case .asciiLetters:
                // Python's [^A-Za-z] works on code points: every non-ASCII byte is a non-letter.
                filterASCIILetters(buffer, state: &state, into: &output)
            case .letters:
                filterGraphemes(buffer, state: &state, into: &output)
            }
        }
        for byte in output where byte >= 0x80 { return false }
        return true
    }

    /// Preprocesses a whole string line by line (lines split after each "\n"), joining the
    /// processed lines with nothing in between. For tests, prefixes and short texts.
    public func process(_ text: String) -> String {
        var result: [UInt8] = []
        var output: [UInt8] = []
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBufferPointer { all in
            Lines.forEach(in: UnsafeBufferPointer(all)) { line in
                process(line, into: &output)
                result.append(contentsOf: output)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    // MARK: - ASCII fast path

    private func processASCII(_ line: UnsafeBufferPointer<UInt8>, state: inout LineState, into output: inout [UInt8]) {
        switch filter {
        case .none:
            if caseFold {
                for byte in line { output.append(byte &- 0x41 < 26 ? byte | 0x20 : byte) }
            } else {
                output.append(contentsOf: line)
            }
        case .asciiLetters, .letters:
            // In ASCII the letters of every script are just A–Z and a–z.
            filterASCIILetters(line, state: &state, into: &output)
        }
    }

    /// Runs of bytes that are not ASCII letters → one space; ends stripped; letters
    /// lowercased when folding.
    private func filterASCIILetters(_ line: UnsafeBufferPointer<UInt8>, state: inout LineState, into output: inout [UInt8]) {
        var pendingSpace = state.pendingSpace
        let emitted = state.emitted
        defer { state.pendingSpace = pendingSpace }
        let fold: UInt8 = caseFold ? 0x20 : 0
        for byte in line {
            if (byte | 0x20) &- 0x61 < 26 {
                if pendingSpace && (emitted || !output.isEmpty) { output.append(0x20) }
                pendingSpace = false
                output.append(byte &- 0x41 < 26 ? byte | fold : byte)
            } else {
                pendingSpace = true
            }
        }
    }

    // MARK: - General path

    /// The line after normalization and, when `folding`, case folding (utf8proc_map). Joiners and other
    /// default-ignorable code points are kept, unlike `utf8proc_NFKC_Casefold`.
    private func mapped(_ line: UnsafeBufferPointer<UInt8>, folding: Bool) -> [UInt8] {
        var options = UTF8PROC_STABLE.rawValue
        switch normalization {
        case .none: break
        case .nfc: options |= UTF8PROC_COMPOSE.rawValue
        case .nfkc: options |= UTF8PROC_COMPOSE.rawValue | UTF8PROC_COMPAT.rawValue
        }
        if folding { options |= UTF8PROC_CASEFOLD.rawValue }
        if normalization == .none && !folding { return Array(line) }
        if normalization == .none {
            // Folding alone must not recompose or decompose anything else: fold code point by code point.
            return foldedWithoutNormalizing(line)
        }
        var result: UnsafeMutablePointer<UInt8>? = nil
        let length = utf8proc_map(line.baseAddress, line.count, &result, utf8proc_option_t(options))
        defer { free(result) }
        guard length >= 0, let result else { return Array(line) }
        return Array(UnsafeBufferPointer(start: result, count: length))
    }

    private func foldedWithoutNormalizing(_ line: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(line.count)
        var position = 0
        var codePoint: Int32 = 0
        var folded = [Int32](repeating: 0, count: 8)
        var encoded = [UInt8](repeating: 0, count: 4)
        while position < line.count {
            let length = max(1, utf8proc_iterate(line.baseAddress! + position, line.count - position, &codePoint))
            var lastBoundClass: Int32 = 0
            let count = folded.withUnsafeMutableBufferPointer {
                utf8proc_decompose_char(codePoint, $0.baseAddress, 8,
                                        utf8proc_option_t(UTF8PROC_CASEFOLD.rawValue), &lastBoundClass)
            }
            if count > 0 && count <= 8 {
                for index in 0..<count {
                    let bytes = encoded.withUnsafeMutableBufferPointer { utf8proc_encode_char(folded[index], $0.baseAddress) }
                    output.append(contentsOf: encoded[0..<bytes])
                }
            } else {
                output.append(contentsOf: line[position..<position + length])
            }
            position += length
        }
        return output
    }

    private func filterGraphemes(_ text: UnsafeBufferPointer<UInt8>, state: inout LineState, into output: inout [UInt8]) {
        var pendingSpace = state.pendingSpace
        let emitted = state.emitted
        defer { state.pendingSpace = pendingSpace }
        GraphemeClusters.forEach(in: text) { range, kind in
            if kind == .letter || kind == .emoji {
                if pendingSpace && (emitted || !output.isEmpty) { output.append(0x20) }
                pendingSpace = false
                output.append(contentsOf: text[range])
            } else {
                pendingSpace = true
            }
        }
    }
}
