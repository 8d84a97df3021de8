import FleetAudio
import FleetTelemetry
import Foundation
import Logging
import ServiceKit
public import ServiceLifecycle

/// What the channel shows about one speaker on /voice/status.
public struct SpeakerStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        case idle, speaking
        case awaitingReply = "awaiting_reply"
    }

    public var name: String
    public var voice: String
    public var replyVoice: String
    public var sessionId: String
    public var state: State = .idle
    public var turns = 0
    /// Whether this speaker has talked to Atlas yet (their conversation is in progress).
    public var conversing = false
    public var lastPhrase: String?
    public var lastOutcome: TurnOutcome?
    public var link = VoiceLink.Statistics()
}

/// The channel's members and what each is doing.
public actor ChannelRoster {
    private var speakers: [String: SpeakerStatus]
    private let order: [String]
    public private(set) var running = false

    init(_ identities: [SpeakerIdentity]) {
        order = identities.map(\.name)
        speakers = Dictionary(uniqueKeysWithValues: identities.map {
            ($0.name, SpeakerStatus(name: $0.name, voice: $0.voice, replyVoice: $0.replyVoice, sessionId: $0.sessionId))
        })
    }

    public var all: [SpeakerStatus] { order.compactMap { speakers[$0] } }

    func setRunning(_ value: Bool) { running = value }

    func update(_ name: String, _ change: (inout SpeakerStatus) -> Void) {
        guard var status = speakers[name] else { return }
        change(&status)
        speakers[name] = status
    }

    func nextTurnNumber(for name: String) -> Int {
        speakers[name]?.turns += 1
        return speakers[name]?.turns ?? 0
    }

    /// Records a finished turn; a speaker who addressed Atlas now has a conversation in progress.
    func finished(_ name: String, outcome: TurnOutcome?, statistics: VoiceLink.Statistics) {
        update(name) { status in
            status.lastOutcome = outcome
            status.link = statistics
            if outcome == .replied || outcome == .blocked { status.conversing = true }
        }
        MetricCatalog.activeSessions.set(Double(speakers.values.filter(\.conversing).count))
    }
}

/// The simulated Discord voice channel: its speakers talk until the service shuts down.
/// It is the bridge's background service; the HTTP routes read its roster and turn log and
/// queue requests to speak.
public final class VoiceChannel: Service, Sendable {
    public let roster: ChannelRoster
    public let turns: TurnLog
    let speakers: [SimulatedSpeaker]
    let mailboxes: [String: Mailbox]
    let logger: Logger

    /// The simulated members: distinct names, each with its own voice and a different voice for Atlas.
    public static let names = ["Ava", "Ben", "Chloe", "Dev", "Emma", "Finn", "Grace", "Hugo",
                               "Iris", "Jonah", "Kira", "Leo", "Maya", "Noah", "Olive", "Priya"]

    /// The identities of `count` speakers; session ids are fresh per process so a restarted bridge
    /// starts new conversations rather than continuing stored ones.
    static func identities(count: Int) -> [SpeakerIdentity] {
        (0..<count).map { index in
            let name = names[index % names.count]
            let voice = Voice.all[index % Voice.all.count]
            let replyVoice = Voice.all[(index + 5) % Voice.all.count]
            let suffix = UUID().uuidString.prefix(8).lowercased()
            return SpeakerIdentity(name: name, sessionId: "discord-\(name.lowercased())-\(suffix)", voice: voice.id,
                                   replyVoice: replyVoice.id)
        }
    }

    init(config: DiscordConfig, seed: UInt64, clock: any PacingClock, pipeline: TurnPipeline, turns: TurnLog,
         untilFleetReady: @escaping @Sendable () async -> Void, logger: Logger) {
        let identities = Self.identities(count: config.speakers)
        let roster = ChannelRoster(identities)
        var mailboxes: [String: Mailbox] = [:]
        let floor = FIFOLock()
        speakers = identities.map { identity in
            let mailbox = Mailbox()
            mailboxes[identity.name] = mailbox
            return SimulatedSpeaker(identity: identity, voice: Voice.named(identity.voice) ?? .default, config: config,
                                    seed: seed, clock: clock, pipeline: pipeline, mailbox: mailbox, floor: floor, roster: roster,
                                    turns: turns, untilFleetReady: untilFleetReady, logger: logger)
        }
        self.mailboxes = mailboxes
        self.roster = roster
        self.turns = turns
        self.logger = logger
    }

    public func run() async throws {
        await roster.setRunning(true)
        logger.info("voice channel open", metadata: ["speakers": "\(speakers.map(\.identity.name))"])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for speaker in self.speakers {
                    group.addTask { await speaker.run() }
                }
            }
        }
        // An empty channel (DISCORD_SPEAKERS=0) stays open until shutdown: a background service
        // that returned early would take the whole bridge down with it.
        try? await gracefulShutdown()
        await roster.setRunning(false)
        logger.info("voice channel closed")
    }

    public enum SpeakError: Error, Equatable {
        case noSpeakers
        case unknownSpeaker(String, known: [String])
    }

    /// Queues `text` for a speaker (the named one, or the least busy) and returns the turn id its
    /// first segment will carry. The turn shows on /voice/turns at once, as queued.
    public func speak(_ text: String, as name: String?) async throws(SpeakError) -> (turnID: Int, speaker: String) {
        guard !speakers.isEmpty else { throw .noSpeakers }
        let speaker: SimulatedSpeaker
        if let name {
            guard let match = speakers.first(where: { $0.identity.name.lowercased() == name.lowercased() }) else {
                throw .unknownSpeaker(name, known: speakers.map(\.identity.name))
            }
            speaker = match
        } else {
            let statuses = await roster.all
            let idle = statuses.first { $0.state == .idle }?.name
            speaker = speakers.first { $0.identity.name == idle } ?? speakers[0]
        }
        let id = await turns.reserveID()
        await turns.store(TurnRecord(id: id, speaker: speaker.identity.name, sessionId: speaker.identity.sessionId,
                                     turnNumber: 0, phrase: text))
        await mailboxes[speaker.identity.name]?.deliver(Utterance(text: text, turnID: id))
        return (id, speaker.identity.name)
    }
}
