import Foundation
import Synchronization

/// SIGINT and SIGTERM turned into a flag the training loop polls after every step, so an
/// interrupt finishes the current step, writes a checkpoint and exits cleanly.
public enum Interrupts {
    private static let received = Atomic<Int32>(0)

    /// Installs the handlers (call once, before training).
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            Interrupts.received.store(signal, ordering: .relaxed)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have started us with these signals blocked (threads of a dispatch
        // pool block every signal, and children inherit the mask): unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// The signal received since `install`, or nil.
    public static var pending: Int32? {
        let value = received.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// The exit status of a process stopped by `signal`: 130 for SIGINT, 143 otherwise (SIGTERM).
    public static func exitStatus(_ signal: Int32) -> Int32 {
        signal == SIGINT ? 130 : 143
    }

    /// A conventional name ("SIGINT") for messages.
    public static func name(_ signal: Int32) -> String {
        signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"
    }
}
