import Dispatch
import Foundation
import ServiceKit
import Synchronization

/// The simulated speakers' clients' own thread, at nice 10: where a phrase not yet in the
/// `SpokenBurstCache` is synthesised with flite and encoded (about a tenth of a second each).
///
/// Why a thread of its own, and a low priority: a speaker's client stands for someone's computer
/// elsewhere, so its work must not hold up the bridge's own. Off the cooperative pool, whose two
/// threads keep every speaker's and every reply's 20 ms loop, it still competed with those loops
/// at the same priority, and while the cache fills (the first minutes of a run: about 600 bursts of
/// the corpus in ten voices) that is up to a core of flite. At nice 10 the scheduler runs the loops
/// first. A thread the bridge starts itself, not a dispatch queue's: libdispatch may reset the
/// priority of its own workers, and a worker lowered here could later run other work.
final class SpeakerClients: Sendable {
    static let shared = SpeakerClients()
    static let nice: Int32 = 10

    private let pending = Mutex<[@Sendable () -> Void]>([])
    private let available = DispatchSemaphore(value: 0)

    private init() {
        // The one instance lives as long as the process, and so does its thread.
        let thread = Thread { [self] in
            // The name `top -H` and `perf` show (Foundation's `Thread.name` does not reach the kernel).
            try? "speaker-clients".write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
            CPUPriority.applyToCurrentThread(Self.nice)
            while true {
                available.wait()
                let next = pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                next?()
            }
        }
        thread.start()
    }

    /// Runs `work` on the clients' thread, after what is already queued there, and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            pending.withLock { $0.append { continuation.resume(with: Result { try work() }) } }
            available.signal()
        }
    }
}
