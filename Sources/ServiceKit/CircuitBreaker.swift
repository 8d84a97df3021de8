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
        public static let original = Policy()

        public init(failureThreshold: Int = 5, successThreshold: Int = 2, openDuration: Duration = .seconds(30)) {
            self.failureThreshold = failureThreshold
            self.successThreshold = successThreshold
            self.openDuration = openDuration
        }
    }

    public let peer: String
    public let policy: Policy
    public private(set) var state: State = .closed(failures: 0)
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(peer: String, policy: Policy = .original,
                now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.peer = peer
        self.policy = policy
        self.now = now
    }

    /// Whether a call may go out now. An open breaker whose pause has passed turns half-open.
    public func allowsCall() -> Bool {
        if case .open(let until) = state {
            guard now() >= until else { return false }
            transition(to: .halfOpen(successes: 0))
        }
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
        state = newState
        MetricCatalog.circuitBreakerState.set(newState.gaugeValue, ["peer_service": peer])
    }
}
