import FleetTelemetry

/// Stops calling a peer that keeps failing, then lets a trial call through after a pause.
///
/// Defaults are the original discord->stt breaker's: open after 5 consecutive failures, stay open
/// 30 s, close again after 2 consecutive successes in half-open state.
public actor CircuitBreaker {
    public enum State: Sendable, Equatable {
        case closed(failures: Int)
        case open(until: ContinuousClock.Instant)
        case halfOpen(successes: Int)

        /// The `circuit_breaker_state` gauge value: 0 closed, 1 half-open, 2 open.
        var gaugeValue: Double {
            switch self {
            case .closed: return 0
            case .halfOpen: return 1
            case .open: return 2
            }
        }
    }

    public struct Policy: Sendable, Equatable {
        public var failureThreshold = 5
        public var successThreshold = 2
        public var openDuration: Duration = .seconds(30)
        /// While open, how often a caller may ask the liveness probe whether the peer is back.
        public var probeInterval: Duration = .seconds(1)
        public static let original = Policy()

        public init(failureThreshold: Int = 5, successThreshold: Int = 2, openDuration: Duration = .seconds(30),
                    probeInterval: Duration = .seconds(1)) {
            self.failureThreshold = failureThreshold
            self.successThreshold = successThreshold
            self.openDuration = openDuration
            self.probeInterval = probeInterval
        }
    }

    public let peer: String
    public let policy: Policy
    public private(set) var state: State = .closed(failures: 0)
    private let now: @Sendable () -> ContinuousClock.Instant
    /// Asks the peer whether it is back (its `/health/live`); nil waits out `openDuration`.
    private let probe: (@Sendable () async -> Bool)?
    private var nextProbe: ContinuousClock.Instant?
    private var probing = false

    /// With a `probe`, an open breaker asks it at most once per `probeInterval` (when a call comes)
    /// and half-opens as soon as the peer answers, so a peer that was paused or restarted takes
    /// calls again within about a second of being back; `openDuration` stays the upper bound.
    /// Without one, only the pause ends it (a peer that stayed down 20 s cost another 23 s of
    /// refused calls after it resumed).
    public init(peer: String, policy: Policy = .original,
                now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
                probe: (@Sendable () async -> Bool)? = nil) {
        self.peer = peer
        self.policy = policy
        self.now = now
        self.probe = probe
    }

    /// Whether a call may go out now. An open breaker whose pause has passed, or whose peer the
    /// probe finds alive, turns half-open and lets the call through as its trial.
    public func allowsCall() async -> Bool {
        guard case .open(let until) = state else { return true }
        if now() >= until {
            transition(to: .halfOpen(successes: 0))
            return true
        }
        // One probe at a time, and not more often than probeInterval: callers meanwhile are refused
        // at once, as an open breaker should.
        guard let probe, !probing, nextProbe.map({ now() >= $0 }) ?? true else { return false }
        probing = true
        nextProbe = now() + policy.probeInterval
        let live = await probe()
        probing = false
        // The actor was free during the probe: another caller may have moved the state on.
        guard case .open = state else { return true }
        guard live else { return false }
        transition(to: .halfOpen(successes: 0))
        return true
    }

    public func recordSuccess() {
        switch state {
        case .closed: transition(to: .closed(failures: 0))
        case .halfOpen(let successes):
            transition(to: successes + 1 >= policy.successThreshold ? .closed(failures: 0) : .halfOpen(successes: successes + 1))
        case .open: break
        }
    }

    public func recordFailure() {
        switch state {
        case .closed(let failures):
            transition(to: failures + 1 >= policy.failureThreshold ? .open(until: now() + policy.openDuration)
                                                                    : .closed(failures: failures + 1))
        case .halfOpen:
            transition(to: .open(until: now() + policy.openDuration))
        case .open: break
        }
    }

    private func transition(to newState: State) {
        if case .open = newState { nextProbe = now() + policy.probeInterval }
        state = newState
        MetricCatalog.circuitBreakerState.set(newState.gaugeValue, ["peer_service": peer])
    }
}
