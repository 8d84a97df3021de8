public import FleetContracts
import FleetTelemetry
import Logging
import ServiceKit
public import ServiceLifecycle

/// The simulated Discord side of the bridge: voice channels in guilds, each with its speakers,
/// who talk until the service shuts down. It is the bridge's background service; the HTTP routes
/// read its roster and turn log, queue requests to speak, and change how many speakers there are.
public final class VoiceFleet: Service, Sendable {
    /// How long turns in flight may take to finish when the bridge shuts down: a turn with the
    /// stubs' default latency takes a few seconds, reply playback included. Within the runner's
    /// shutdown budget, which leaves the rest for the final telemetry export.
    static let drainBudget: Duration = .seconds(6)

    public let roster: ChannelRoster
    public let turns: TurnLog
    let directory: ChannelDirectory
    let logger: Logger

    /// A fleet of `environment.config.speakers` speakers, not talking until `run`.
    static func make(environment: SpeakerEnvironment) async throws -> VoiceFleet {
        let fleet = VoiceFleet(environment: environment)
        try await fleet.directory.resize(to: environment.config.speakers)
        return fleet
    }

    private init(environment: SpeakerEnvironment) {
        roster = environment.roster
        turns = environment.turns
        directory = ChannelDirectory(environment: environment)
        logger = environment.logger
    }

    public func run() async throws {
        await directory.open()
        let load = await directory.load
        logger.info("voice channels open", metadata: ["speakers": "\(load.speakers)", "channels": "\(load.channels)",
                                                      "shard": "\(directory.shard)"])
        // Open until shutdown, even with no speakers: a background service that returned early
        // would take the whole bridge down with it.
        try? await gracefulShutdown()
        // No new turns from here; the ones in flight finish within the drain (see ServiceRunner).
        let drained = await directory.close(drain: Self.drainBudget)
        logger.info("voice channels closed", metadata: ["turns_drained": "\(drained)"])
    }

    /// Whether the speakers are talking (the background service runs).
    public var isOpen: Bool {
        get async { await directory.running }
    }

    public var load: VoiceLoad {
        get async { await directory.load }
    }

    /// Changes the number of speakers in the fleet while the bridge runs (0...500 per shard); a
    /// sharded bridge keeps its guilds' share of them.
    public func setLoad(speakers: Int) async throws -> VoiceLoad {
        let load = try await directory.resize(to: speakers)
        logger.info("voice load changed", metadata: ["speakers": "\(load.speakers)", "channels": "\(load.channels)"])
        return load
    }

    /// The channels with speakers in them.
    var channels: [VoiceChannel] {
        get async { await directory.channelsInUse }
    }

    /// Every channel there has been, empty ones included.
    var everyChannel: [VoiceChannel] {
        get async { await directory.everyChannel }
    }

    public enum SpeakError: Error, Equatable {
        case noSpeakers
        case unknownSpeaker(String, known: [String])
    }

    /// Queues `text` for a speaker (the named one, or the least busy) and returns the turn id its
    /// first segment will carry. The turn shows on /voice/turns at once, as queued.
    public func speak(_ text: String, as name: String?) async throws(SpeakError) -> (turnID: Int, speaker: String) {
        let speakers = await directory.speakers
        guard let first = speakers.first else { throw .noSpeakers }
        let speaker: SimulatedSpeaker
        if let name {
            guard let match = speakers.first(where: { $0.identity.name.lowercased() == name.lowercased() }) else {
                throw .unknownSpeaker(name, known: speakers.map(\.identity.name))
            }
            speaker = match
        } else {
            let idle = await roster.all.first { $0.state == .idle }?.name
            speaker = speakers.first { $0.identity.name == idle } ?? first
        }
        let id = await turns.reserveID()
        await turns.store(TurnRecord(id: id, speaker: speaker.identity.name, sessionId: speaker.identity.sessionId,
                                     turnNumber: 0, phrase: text))
        await speaker.mailbox.deliver(Utterance(text: text, turnID: id))
        return (id, speaker.identity.name)
    }
}
