import Foundation

/// Seeded, deterministic mutations of valid inputs for the loader fuzz tests: bit flips, byte
/// inserts and deletes, truncation, splices of two inputs, and hostile numbers in JSON.
struct Mutations: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// SplitMix64.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    static let hostileNumbers = ["-1", "0", "-9223372036854775808", "9223372036854775807", "9223372036854775808",
                                 "1e30", "-1e308", "1e999", "0.5", "NaN", "null", "\"7\"", "[]", "{}", "true"]

    /// One mutant of `input`, spliced with `other` now and then.
    mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(3) {
            switch below(7) {
            case 0 where !bytes.isEmpty:
                bytes[below(bytes.count)] ^= UInt8(1 << below(8))
            case 1:
                bytes.insert(UInt8(truncatingIfNeeded: next()), at: below(bytes.count + 1))
            case 2 where !bytes.isEmpty:
                bytes.remove(at: below(bytes.count))
            case 3:
                bytes = Array(bytes.prefix(below(bytes.count + 1)))
            case 4:
                bytes = Array(bytes.prefix(below(bytes.count + 1))) + other.suffix(below(other.count + 1))
            case 5:
                // Replace a run of digits (a JSON number) with a hostile value.
                let digits = bytes.indices.filter { (0x30...0x39).contains(bytes[$0]) }
                guard !digits.isEmpty else { continue }
                var start = digits[below(digits.count)], end = start
                while start > 0, (0x30...0x39).contains(bytes[start - 1]) || bytes[start - 1] == 0x2D { start -= 1 }
                while end < bytes.count, (0x30...0x39).contains(bytes[end]) || bytes[end] == 0x2E { end += 1 }
                bytes.replaceSubrange(start..<end, with: Array(Mutations.hostileNumbers[below(Mutations.hostileNumbers.count)].utf8))
            default:
                if !bytes.isEmpty { bytes[below(bytes.count)] = [0x00, 0x22, 0x5C, 0x7B, 0x7D, 0xFF, 0xC3, 0x0A][below(8)] }
            }
        }
        return bytes
    }
}
