import FleetTelemetry
import ServiceKit

/// Runs `operation`, giving up on it after `limit` with a `timeout` error that names `peer`.
///
/// A peer client's timeout covers a call only until the response head arrives. A streamed reply
/// can stall after that — a model that hangs before its first token (the `llmTimeout` scenario),
/// or one that stops mid-reply without closing the connection — and a user must not wait on it
/// forever. Giving up cancels the call, which closes its connection, so the peer sees its caller
/// leave.
func withDeadline<T: Sendable>(_ limit: Duration, peer: String,
                               _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await operation() }
        group.addTask {
            try await Task.sleep(for: limit)
            throw FleetError.downstream(.timeout, peer: peer, "no complete reply within \(limit.seconds) s")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}
