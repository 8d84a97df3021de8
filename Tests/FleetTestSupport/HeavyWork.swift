import CoreMetrics
import Dispatch

/// CPU-heavy test work — synthesising, encoding and decoding seconds of audio, which takes
/// seconds in a debug build — run on a thread of its own instead of one of Swift's cooperative
/// threads.
///
/// The whole suite runs ~430 tests at once in one process on 2 cores, so on 2 cooperative
/// threads. A synchronous test that computes for seconds holds one of them for that long, and
/// every timer, request and poll of the other tests waits behind it: at the start of a full run
/// that added up to ~12 s during which nothing else ran, and tests that wait for an effect timed
/// out. Here the work shares the CPU through the kernel's scheduler instead, which gives the
/// cooperative threads their turn within milliseconds. One serial queue, so the heavy work of all
/// tests together takes at most one core.
public enum HeavyWork {
    private static let queue = DispatchQueue(label: "audio-fleet.tests.heavy-work")

    /// Runs `work` on the heavy-work thread and returns its result. Metrics it records go to the
    /// calling test's registry (`TestMetrics.collecting`), which a task-local would not carry to
    /// another thread by itself.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let factory = MetricsSystem.factory
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try withMetricsFactory(factory) { try work() } })
            }
        }
    }
}
