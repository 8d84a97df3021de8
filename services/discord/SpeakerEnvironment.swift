import FleetAudio
import Logging
import ServiceKit
import Synchronization

/// What every speaker in the bridge shares: settings, the pacing clock, the turn pipeline, the
/// roster and turn log, and the room scenarios in effect.
struct SpeakerEnvironment: Sendable {
    let config: DiscordConfig
    let seed: UInt64
    let clock: any PacingClock
    /// Not yet pointed at a channel; each speaker routes it into their own.
    let pipeline: TurnPipeline
    let roster: ChannelRoster
    let turns: TurnLog
    /// Read at every frame: quiet microphones and noisy rooms change what the speakers send.
    let scenarios: ScenarioBoard
    let closing: ClosingSignal
    /// The speakers' clients' encoded phrases, shared by every speaker in the bridge.
    let spokenBursts: SpokenBurstCache
    /// Waits until the fleet can answer; called before the first phrase a speaker picks itself.
    let untilFleetReady: @Sendable () async -> Void
    let logger: Logger

    init(config: DiscordConfig, seed: UInt64, clock: any PacingClock, pipeline: TurnPipeline, roster: ChannelRoster,
         turns: TurnLog, scenarios: ScenarioBoard, closing: ClosingSignal = ClosingSignal(),
         untilFleetReady: @escaping @Sendable () async -> Void = {}, logger: Logger,
         spokenBursts: SpokenBurstCache = SpokenBurstCache()) {
        self.config = config
        self.seed = seed
        self.clock = clock
        self.pipeline = pipeline
        self.roster = roster
        self.turns = turns
        self.scenarios = scenarios
        self.closing = closing
        self.spokenBursts = spokenBursts
        self.untilFleetReady = untilFleetReady
        self.logger = logger
    }
}

/// Set once the bridge stops waiting for its turns. A speaker who leaves the channel, or stops
/// because the bridge shuts down, lets the turns it started finish; once the bridge's drain time
/// is up, closing cancels the ones still running.
final class ClosingSignal: Sendable {
    private struct State {
        var closed = false
        var next = 0
        var onClose: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    init() {}

    var isClosed: Bool { state.withLock { $0.closed } }

    func close() {
        let actions = state.withLock { state in
            state.closed = true
            defer { state.onClose = [:] }
            return Array(state.onClose.values)
        }
        for action in actions { action() }
    }

    /// Runs `action` on close (at once when closed already) until `forget` is called with the
    /// returned key: a turn registers its cancellation while it runs.
    func whenClosed(_ action: @escaping @Sendable () -> Void) -> Int? {
        let key: Int? = state.withLock { state in
            guard !state.closed else { return nil }
            state.next += 1
            state.onClose[state.next] = action
            return state.next
        }
        if key == nil { action() }
        return key
    }

    func forget(_ key: Int?) {
        guard let key else { return }
        _ = state.withLock { $0.onClose.removeValue(forKey: key) }
    }
}

/// What a speaker is minded to say next: its own seeded stream of choices, and whether it has a
/// conversation with Atlas going (then it asks follow-ups).
struct SpeakerMind {
    var choices: SeededGenerator
    var opening = true
    var conversing = false
    /// Percent of the time a conversing speaker follows up on the last answer.
    static let followUpPercent = 50.0

    init(seed: UInt64, name: String) {
        choices = SeededGenerator(seed: seed, stream: "discord/speaker/\(name)")
    }

    mutating func quiet(_ range: ClosedRange<Double>) -> Duration {
        .milliseconds(Int64(Double.random(in: range, using: &choices) * 1000))
    }

    /// True for `percent` percent of calls.
    mutating func strikes(_ percent: Double) -> Bool {
        percent > 0 && Double.random(in: 0..<100, using: &choices) < percent
    }

    /// The first phrase opens a conversation (a greeting when this speaker opens the channel);
    /// later ones follow it up about half the time.
    mutating func nextPhrase(opensChannel: Bool = false) -> Phrase {
        defer { opening = false }
        if opening { return PhraseCorpus.pickOpening(greeting: opensChannel, using: &choices) }
        if conversing, strikes(Self.followUpPercent) { return PhraseCorpus.pickFollowUp(using: &choices) }
        return PhraseCorpus.pick(using: &choices)
    }

    /// What to say when cutting into Atlas's answer.
    mutating func interjection() -> Phrase {
        PhraseCorpus.pickInterjection(using: &choices)
    }

    mutating func heard(_ outcomes: [TurnOutcome]) {
        if outcomes.contains(where: \.answered) { conversing = true }
    }
}
