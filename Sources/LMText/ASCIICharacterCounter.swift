import Foundation

/// Character-level token counts of ASCII text straight from its bytes, a block of lines at a
/// time, with no token made: what ``Preprocessor`` and ``CharacterTokenizer`` turn ASCII
/// lines into, counted. A byte histogram gives the letters (folded or not) or, without a
/// filter, every byte; beside it are counted the spaces a letters filter leaves between runs
/// of letters, the CR LF pairs (one token each) and the `<eos>` tokens. Normalization leaves
/// ASCII as it is, so only the filter and case folding matter.
///
/// The line-by-line pipeline (``LineProcessor`` into a ``TokenSink``) is the reference this is
/// tested against.
struct ASCIICharacterCounter {
    /// Token counts of one block.
    struct Tally: Equatable {
        /// Counts of single-byte tokens, by byte.
        var bytes = [Int](repeating: 0, count: 128)
        /// Count of "\r\n" tokens.
        var lineBreakPairs = 0
        /// Count of `<eos>` tokens.
        var endsOfLine = 0

        /// Every token counted.
        var total: Int { bytes.reduce(0, &+) &+ lineBreakPairs &+ endsOfLine }
    }

    /// Whether every byte is a token (no filter) or only letters, with spaces between runs.
    let keepsAll: Bool
    let caseFold: Bool
    let endOfLine: Bool
    /// The last block's counts.
    private(set) var tally = Tally()
    /// Four interleaved byte histograms (4 × 128), so that repeated bytes do not wait on each
    /// other's increments.
    private var histograms = [Int](repeating: 0, count: 4 * 128)

    /// The counter of a character-level pipeline.
    init(pipeline: TextPipeline) {
        keepsAll = pipeline.preprocessor.filter == .none
        caseFold = pipeline.preprocessor.caseFold
        endOfLine = pipeline.endOfLine
    }

    /// Counts `bytes` (all < 0x80; whole lines, except that the first may continue the line
    /// `state` describes and the last may stop before its end when `endsLine` is false) into
    /// ``tally``, and leaves `state` as the pipeline would after them.
    mutating func count(_ bytes: UnsafeBufferPointer<UInt8>, endsLine: Bool, state: inout Preprocessor.LineState) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { tally = Tally(); return }
        let count = bytes.count
        var spaces = 0
        var emitted = state.emitted
        histograms.withUnsafeMutableBufferPointer { histogram in
            let histogram = histogram.baseAddress!
            histogram.update(repeating: 0, count: 4 * 128)
            if keepsAll {
                Self.histogram(base, count, into: histogram)
                emitted = true
            } else {
                (spaces, emitted) = Self.histogramAndSpaces(base, count, emitted: state.emitted,
                                                            afterOther: state.pendingSpace, into: histogram)
            }
            for byte in 0..<128 {
                tally.bytes[byte] = histogram[byte] &+ histogram[128 + byte] &+ histogram[256 + byte] &+ histogram[384 + byte]
            }
        }
        let newlines = tally.bytes[0x0A]
        let lastByte = base[count - 1]
        tally.endsOfLine = endOfLine ? newlines + (endsLine && lastByte != 0x0A && emitted ? 1 : 0) : 0
        if keepsAll {
            tally.lineBreakPairs = tally.bytes[0x0D] > 0 ? Self.lineBreakPairs(bytes) : 0
            tally.bytes[0x0D] -= tally.lineBreakPairs
            tally.bytes[0x0A] -= tally.lineBreakPairs
            if caseFold { Self.foldLetters(&tally.bytes) }
        } else {
            tally.lineBreakPairs = 0
            for byte in 0..<128 where !Self.isLetter(UInt8(byte)) { tally.bytes[byte] = 0 }
            if caseFold { Self.foldLetters(&tally.bytes) }
            tally.bytes[0x20] = spaces
        }
        if endsLine || lastByte == 0x0A {
            state = Preprocessor.LineState()
        } else {
            state.emitted = emitted
            state.pendingSpace = !keepsAll && !Self.isLetter(lastByte)
        }
    }

    @inline(__always)
    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }

    /// Moves the counts of A–Z onto a–z.
    private static func foldLetters(_ bytes: inout [Int]) {
        for upper in 0x41...0x5A {
            bytes[upper | 0x20] &+= bytes[upper]
            bytes[upper] = 0
        }
    }

    /// Adds every byte to the four histograms in turn.
    @inline(__always)
    private static func histogram(_ base: UnsafePointer<UInt8>, _ count: Int, into histogram: UnsafeMutablePointer<Int>) {
        var index = 0
        while index + 4 <= count {
            histogram[Int(base[index])] &+= 1
            histogram[128 + Int(base[index + 1])] &+= 1
            histogram[256 + Int(base[index + 2])] &+= 1
            histogram[384 + Int(base[index + 3])] &+= 1
            index += 4
        }
        while index < count {
            histogram[Int(base[index])] &+= 1
            index += 1
        }
    }

    /// The histogram, and the spaces the letters filter outputs: one before each run of
    /// letters in a line but its first, so the runs begun less the lines' first runs. Returns
    /// the spaces and whether the last line has output a letter. Eight bytes at a time:
    /// letters and line ends become flags in the bytes' top bits.
    @inline(__always)
    private static func histogramAndSpaces(_ base: UnsafePointer<UInt8>, _ count: Int, emitted: Bool, afterOther: Bool,
                                           into histogram: UnsafeMutablePointer<Int>) -> (Int, Bool) {
        var runs = 0, firstRuns = 0
        var emitted = emitted          // a letter so far in this line
        // The byte before was a letter: the line has one and no other byte followed it.
        var afterLetter: UInt64 = emitted && !afterOther ? 0x80 : 0
        let raw = UnsafeRawPointer(base)
        let top: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            histogram[Int(base[index])] &+= 1
            histogram[128 + Int(base[index + 1])] &+= 1
            histogram[256 + Int(base[index + 2])] &+= 1
            histogram[384 + Int(base[index + 3])] &+= 1
            histogram[Int(base[index + 4])] &+= 1
            histogram[128 + Int(base[index + 5])] &+= 1
            histogram[256 + Int(base[index + 6])] &+= 1
            histogram[384 + Int(base[index + 7])] &+= 1
            // Bytes are < 0x80, so adding below 0x80 to each never carries into the next byte.
            let folded = word | 0x2020_2020_2020_2020
            let letters = (folded &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(folded &+ 0x0505_0505_0505_0505) & top  // 'a'...'z'
            runs &+= flagCount(letters & ~((letters << 8) | afterLetter))
            afterLetter = letters >> 56
            var newlines = ~((word ^ 0x0A0A_0A0A_0A0A_0A0A) &+ 0x7F7F_7F7F_7F7F_7F7F) & top
            if newlines == 0 {
                if !emitted && letters != 0 { firstRuns &+= 1; emitted = true }
            } else {
                var rest = letters
                repeat {   // each "\n" ends a line
                    let below = (newlines & (0 &- newlines)) &- 1
                    if !emitted && rest & below != 0 { firstRuns &+= 1 }
                    emitted = false
                    rest &= ~below
                    newlines &= newlines &- 1
                } while newlines != 0
                if rest != 0 { firstRuns &+= 1; emitted = true }
            }
            index += 8
        }
        while index < count {
            let byte = base[index]
            histogram[Int(byte)] &+= 1
            if isLetter(byte) {
                if afterLetter == 0 {
                    runs &+= 1
                    if !emitted { firstRuns &+= 1; emitted = true }
                }
                afterLetter = 0x80
            } else {
                if byte == 0x0A { emitted = false }
                afterLetter = 0
            }
            index += 1
        }
        return (runs &- firstRuns, emitted)
    }

    /// The number of top-bit flags in a word (a sum of bytes by one multiplication, cheaper
    /// than a popcount without the instruction).
    @inline(__always)
    private static func flagCount(_ flags: UInt64) -> Int {
        Int(truncatingIfNeeded: ((flags >> 7) &* 0x0101_0101_0101_0101) >> 56)
    }

    /// Count of "\r\n" in `bytes`.
    private static func lineBreakPairs(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var pairs = 0
        var index = 0
        while index < bytes.count - 1 {
            guard let found = memchr(bytes.baseAddress! + index, 0x0D, bytes.count - 1 - index) else { break }
            index = bytes.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if bytes[index + 1] == 0x0A { pairs += 1 }
            index += 1
        }
        return pairs
    }
}
