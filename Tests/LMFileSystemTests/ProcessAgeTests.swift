import Foundation
import Testing
@testable import LMFileSystem

/// The process's age, which lm-train's time budget counts from: parsed from a stat line whose
/// command holds spaces and parentheses, and read for this test process.
@Suite struct ProcessAgeTests {
    /// A line as /proc/PID/stat has it: pid, (comm), then field 3 onward; field 22 is 5000.
    static func stat(command: String, start: String = "5000") -> String {
        let after = ["S", "1", "2", "3", "0", "-1", "4194560", "100", "0", "0", "0", "7", "3", "0", "0", "20", "0", "4", "0", start,
                     "123456", "789"]
        return "4242 (\(command)) " + after.joined(separator: " ") + "\n"
    }

    @Test func theStartTimeIsFieldTwentyTwo() throws {
        let age = try #require(ProcessAge.seconds(stat: Self.stat(command: "lm-train"), ticksPerSecond: 100, bootSeconds: 60))
        #expect(abs(age - 10) < 1e-9)   // booted 60 s ago, started at tick 5000 = 50 s
    }

    @Test func aCommandWithSpacesAndParenthesesDoesNotShiftTheFields() throws {
        let age = try #require(ProcessAge.seconds(stat: Self.stat(command: "a) (b c"), ticksPerSecond: 100, bootSeconds: 51))
        #expect(abs(age - 1) < 1e-9)
    }

    @Test func anUnreadableLineOrAFutureStartIsNil() {
        #expect(ProcessAge.seconds(stat: "4242 lm-train S 1", ticksPerSecond: 100, bootSeconds: 60) == nil)
        #expect(ProcessAge.seconds(stat: Self.stat(command: "x", start: "abc"), ticksPerSecond: 100, bootSeconds: 60) == nil)
        #expect(ProcessAge.seconds(stat: Self.stat(command: "x"), ticksPerSecond: 100, bootSeconds: 40) == nil)
        #expect(ProcessAge.seconds(stat: Self.stat(command: "x"), ticksPerSecond: 0, bootSeconds: 60) == nil)
    }

    #if os(Linux)
    /// This test process has run for a while, and not for longer than the machine has been up.
    @Test func thisProcessHasAnAge() throws {
        let age = try #require(ProcessAge.seconds())
        #expect(age > 0 && age < ProcessInfo.processInfo.systemUptime + 1)
    }
    #endif
}
