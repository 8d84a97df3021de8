import FleetTelemetry

/// What the bridge shows about one speaker on /voice/status.
public struct SpeakerStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable {
        case idle, speaking
        case awaitingReply = "awaiting_reply"
    }

    public var name: String
    public var voice: String
    public var replyVoice: String
    public var sessionId: String
    /// The guild and voice channel the speaker sits in.
    public var guild = ""
    public var channel = ""
    public var state: State = .idle
    public var turns = 0
    /// Whether this speaker has talked to Atlas yet (their conversation is in progress).
    public var conversing = false
    public var lastPhrase: String?
    public var lastOutcome: TurnOutcome?
    public var link = VoiceLink.Statistics()
}

/// Every speaker in the bridge's voice channels and what each is doing, in the order they joined.
public actor ChannelRoster {
    private var speakers: [String: SpeakerStatus] = [:]
    private var order: [String] = []

    init(_ identities: [SpeakerIdentity] = []) {
        order = identities.map(\.name)
        speakers = Dictionary(uniqueKeysWithValues: identities.map {
            ($0.name, SpeakerStatus(name: $0.name, voice: $0.voice, replyVoice: $0.replyVoice, sessionId: $0.sessionId))
        })
    }

    public var all: [SpeakerStatus] { order.compactMap { speakers[$0] } }

    public var count: Int { order.count }

    func status(of name: String) -> SpeakerStatus? { speakers[name] }

    func add(_ identity: SpeakerIdentity, guild: String, channel: String) {
        guard speakers[identity.name] == nil else { return }
        order.append(identity.name)
        var status = SpeakerStatus(name: identity.name, voice: identity.voice, replyVoice: identity.replyVoice,
                                   sessionId: identity.sessionId)
        status.guild = guild
        status.channel = channel
        speakers[identity.name] = status
    }

    /// The speaker left; their conversation no longer counts as active.
    func remove(_ name: String) {
        guard speakers.removeValue(forKey: name) != nil else { return }
        order.removeAll { $0 == name }
        publishSessions()
    }

    func update(_ name: String, _ change: (inout SpeakerStatus) -> Void) {
        guard var status = speakers[name] else { return }
        change(&status)
        speakers[name] = status
    }

    func nextTurnNumber(for name: String) -> Int {
        speakers[name]?.turns += 1
        return speakers[name]?.turns ?? 0
    }

    /// Records a finished turn; a speaker whom Atlas answered (even if cut off) now has a
    /// conversation in progress.
    func finished(_ name: String, outcome: TurnOutcome?, statistics: VoiceLink.Statistics) {
        update(name) { status in
            status.lastOutcome = outcome
            status.link = statistics
            if let outcome, outcome.answered { status.conversing = true }
        }
        publishSessions()
    }

    private func publishSessions() {
        MetricCatalog.activeSessions.set(Double(speakers.values.filter(\.conversing).count))
    }
}

extension TurnOutcome {
    /// Atlas spoke to the speaker: a reply, a refusal, or a reply someone talked over.
    var answered: Bool { self == .replied || self == .blocked || self == .interrupted }
}
