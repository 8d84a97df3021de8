import Prometheus

/// What the scenario tests read their effects from: the value of one series in the Prometheus text
/// that `/metrics` would serve, and a poll for effects that take a moment.
extension PrometheusCollectorRegistry {
    /// The value of `series` (name and labels as exposed, e.g. `circuit_breaker_state{peer_service="stt"}`);
    /// nil when the registry has no such series.
    func value(of series: String) -> Double? {
        for line in emitToString().split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}

/// How long these tests wait for an effect the fleet promises within seconds — a flag change in
/// effect within 2 s, a leak reaching its cap within a second — before calling it missing.
///
/// The promises hold on a quiet machine: the file source looks every 0.5 s and OFREP asks every
/// 1 s (pinned by "the sources look often enough to keep the 2 s promise" in FlagFileSourceTests).
/// A deadline of a few seconds in a test, though, measures the machine: the whole suite runs ~430
/// tests in one process on 2 cores — two cooperative threads — beside the end-to-end test's nine
/// child processes, and in its first ~15 s a woken task waits seconds for a thread (a flag change
/// was seen applied 11 s after its write). So the tests wait up to 30 s: still a failure for an
/// effect that never comes, not a failure for a busy machine.
let effectDeadline: Duration = .seconds(30)

/// Calls `probe` every `interval` until it returns a value or `limit` has passed (then nil): for
/// effects that take hold within a bound, without asserting how fast.
func poll<Value>(within limit: Duration, every interval: Duration = .milliseconds(50),
                 _ probe: () async throws -> Value?) async throws -> Value? {
    let deadline = ContinuousClock.now + limit
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now < deadline else { return nil }
        try await Task.sleep(for: interval)
    }
}
