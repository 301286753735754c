import Foundation
import Synchronization

/// The signals that stop training cleanly, turned into a flag the training loop polls after
/// every step, so the signal finishes the current step, writes a checkpoint and exits: SIGINT
/// (Ctrl-C), SIGTERM, SIGHUP (a closed terminal or ssh session) and SIGPIPE (a reader of the
/// output that left, as `lm-train … | head` does; the writes that follow fail harmlessly).
public enum Interrupts {
    private static let received = Atomic<Int32>(0)

    /// The signals handled, in the order their names are listed.
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGPIPE]

    /// Installs the handlers (call once, before training).
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { signal in
            Interrupts.received.store(signal, ordering: .relaxed)
        }
        // A parent may have started us with these signals blocked (threads of a dispatch
        // pool block every signal, and children inherit the mask): unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals {
            signal(number, handler)
            sigaddset(&set, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// The signal received since `install`, or nil.
    public static var pending: Int32? {
        let value = received.load(ordering: .relaxed)
        return value == 0 ? nil : value
    }

    /// The exit status of a process stopped by `signal`, as a shell reports one killed by it:
    /// 128 + the signal's number (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP, 141 for SIGPIPE).
    public static func exitStatus(_ signal: Int32) -> Int32 {
        128 + signal
    }

    /// A conventional name ("SIGINT") for messages.
    public static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGHUP: "SIGHUP"
        case SIGPIPE: "SIGPIPE"
        default: "signal \(signal)"
        }
    }
}
