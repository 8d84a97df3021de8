import Dispatch
import Foundation
import Synchronization

/// A fixed set of threads a service owns for blocking CPU work (flite synthesis and the like),
/// taking jobs first come, first served.
///
/// Why not `DispatchQueue.global()`: libdispatch adds workers whenever its own look at the
/// machine says the ones it has are not running, and on two cores shared with eight other
/// processes that is often. tts-bark ran four syntheses at once that way at 100 speakers, on two
/// cores, so no reply came sooner, but each holds flite's working memory (up to a few MB) for
/// twice as long, and glibc keeps the peak: 24 MiB of heap resident for 4.5 MB in use. A fixed
/// count (the cores) bounds the work in flight, and so the memory. Why not the cooperative pool:
/// a blocking job there stalls every task of the service, the 20 ms loops included.
///
/// A thread takes its creator's nice value; `nice` sets its own instead (the bridge's speakers'
/// clients run at 10 below the bridge's 0). `name` is what `top -H` and `perf` show.
public final class WorkerThreads: Sendable {
    public let name: String
    public let count: Int
    private let pending = Mutex<[@Sendable () -> Void]>([])
    private let available = DispatchSemaphore(value: 0)

    /// Starts `count` threads (at least one), which live as long as the process.
    public init(name: String, count: Int, nice: Int32? = nil) {
        self.name = name
        self.count = max(1, count)
        for _ in 0..<self.count {
            let thread = Thread { [self] in
                // Foundation's `Thread.name` does not reach the kernel; /proc/thread-self/comm does.
                try? name.write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
                if let nice { CPUPriority.applyToCurrentThread(nice) }
                while true {
                    available.wait()
                    let next = pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
                    next?()
                }
            }
            thread.start()
        }
    }

    /// Runs `work` on one of the threads, after what is already queued, and returns its result.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            pending.withLock { $0.append { continuation.resume(with: Result { try work() }) } }
            available.signal()
        }
    }

    /// Jobs waiting for a thread (not counting those running).
    public var queued: Int { pending.withLock { $0.count } }
}
