/// A first-come, first-served async lock. Each voice channel uses two: its one outgoing voice
/// (replies to different speakers take turns, as a Discord bot's must) and the conversational floor
/// (people wait for the exchange in progress to finish before they speak).
public actor FIFOLock {
    private var held = false
    private var waiters: [(id: Int, urgent: Bool, continuation: CheckedContinuation<Bool, Never>)] = []
    private var nextID = 0

    public init() {}

    /// Waits for the lock. False when the task was cancelled while waiting: the lock is not held.
    /// An urgent waiter goes ahead of every waiter that is not (a person asked for this turn).
    public func acquire(urgent: Bool = false) async -> Bool {
        guard held else {
            held = true
            return true
        }
        nextID += 1
        let id = nextID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(returning: false)
                } else if urgent {
                    let position = waiters.firstIndex { !$0.urgent } ?? waiters.endIndex
                    waiters.insert((id, true, continuation), at: position)
                } else {
                    waiters.append((id, false, continuation))
                }
            }
        } onCancel: {
            Task { await self.abandon(id) }
        }
    }

    /// How many are waiting for the lock.
    public var queueLength: Int { waiters.count }

    public func release() {
        if waiters.isEmpty {
            held = false
        } else {
            waiters.removeFirst().continuation.resume(returning: true)
        }
    }

    private func abandon(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: false)
    }

    /// Runs `body` while holding the lock.
    public nonisolated func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        guard await acquire() else { throw CancellationError() }
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }
}
