/// When `audio-fleet up` restarts a child that exited on its own, and when it gives up.
///
/// One dead process used to stop all nine. A crash is usually a one-off (a kill, an out-of-memory
/// kill, a bug on one input), so the child comes back after a short pause that doubles while it
/// keeps dying, and the count of restarts is there for users to see. A child that dies over and
/// over within a short window will not get better by itself: looping forever would hide that,
/// so the fleet ends with a message that names it.
public struct RestartPolicy: Sendable, Equatable {
    /// The pause before the first restart; each further one doubles it, up to `maximumDelay`.
    public var initialDelay: Duration = .milliseconds(500)
    public var maximumDelay: Duration = .seconds(10)
    /// A child that stayed up this long counts as healthy again: its next crash waits `initialDelay`.
    public var stableAfter: Duration = .seconds(30)
    /// This many exits within `crashLoopWindow` end the fleet.
    public var crashLoopExits = 5
    public var crashLoopWindow: Duration = .seconds(60)

    public static let fleet = RestartPolicy()

    public init() {}

    public init(initialDelay: Duration, maximumDelay: Duration, stableAfter: Duration, crashLoopExits: Int,
                crashLoopWindow: Duration) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.stableAfter = stableAfter
        self.crashLoopExits = crashLoopExits
        self.crashLoopWindow = crashLoopWindow
    }
}

/// One child's exits under a `RestartPolicy`: what to do after each, and how many restarts so far.
public struct RestartTracker: Sendable {
    public enum Decision: Sendable, Equatable {
        case restart(after: Duration)
        /// A crash loop: `exits` exits within the policy's window.
        case giveUp(exits: Int)
    }

    public let policy: RestartPolicy
    /// Restarts so far; the child gets it as AUDIO_FLEET_RESTARTS (`service_restarts_total`).
    public private(set) var restarts = 0
    /// Crashes since the child last stayed up `stableAfter`: the exponent of the next delay.
    private var consecutive = 0
    private var recentExits: [ContinuousClock.Instant] = []

    public init(policy: RestartPolicy = .fleet) {
        self.policy = policy
    }

    /// The child started at `startedAt` exited at `exitedAt`.
    public mutating func childExited(startedAt: ContinuousClock.Instant, exitedAt: ContinuousClock.Instant) -> Decision {
        recentExits = recentExits.filter { exitedAt - $0 < policy.crashLoopWindow } + [exitedAt]
        if recentExits.count >= policy.crashLoopExits { return .giveUp(exits: recentExits.count) }
        if exitedAt - startedAt >= policy.stableAfter { consecutive = 0 }
        let delay = min(policy.initialDelay * (1 << min(consecutive, 20)), policy.maximumDelay)
        consecutive += 1
        restarts += 1
        return .restart(after: delay)
    }
}
