import Foundation
import ServiceKit
import Synchronization
import Testing

@Suite("A service's own worker threads")
struct WorkerThreadsTests {
    @Test("at most `count` jobs run at once, every job runs on one of the named threads, and errors come back")
    func boundedAndNamed() async throws {
        let workers = WorkerThreads(name: "test-workers", count: 2, nice: 7)
        let running = Shared((now: 0, most: 0))
        let results = try await withThrowingTaskGroup(of: (thread: String?, nice: Int32).self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await workers.run {
                        running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                        Thread.sleep(forTimeInterval: 0.05)  // blocking work, as flite's is
                        running.withLock { $0.now -= 1 }
                        return (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8), CPUPriority.current)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 8)
        #expect(running.withLock { $0.most } == 2, "two threads, so two at once: \(running.withLock { $0.most })")
        #expect(results.allSatisfy { $0.thread == "test-workers\n" && $0.nice == 7 }, "\(results)")
        #expect(workers.queued == 0)
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await workers.run { throw Refused() } }
    }

    @Test("one thread runs its jobs in the order they came")
    func inOrder() async throws {
        let workers = WorkerThreads(name: "test-serial", count: 1)
        let gate = DispatchSemaphore(value: 0)
        let order = Shared<[Int]>([])
        // The thread is held, so the jobs below queue up; each is queued before the next is sent.
        let holding = Shared(false)
        let held = Task { try await workers.run { holding.withLock { $0 = true }; gate.wait() } }
        while !holding.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(1)) }
        var jobs: [Task<Void, any Error>] = []
        for index in 0..<5 {
            jobs.append(Task { try await workers.run { order.withLock { $0.append(index) } } })
            while workers.queued < index + 1 { try await Task.sleep(for: .milliseconds(1)) }
        }
        gate.signal()
        try await held.value
        for job in jobs { try await job.value }
        #expect(order.withLock { $0 } == [0, 1, 2, 3, 4])
    }
}

/// A value the test's jobs and tasks share (a `Mutex` itself cannot be captured by them).
private final class Shared<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }
}
