import FleetContracts
import Foundation
import Hummingbird
import ServiceKit

/// The bridge's HTTP surface: the original's MCP endpoints (send a message, forward a transcript,
/// list tools) and the demo's voice endpoints, where a person can watch turns go by, listen to
/// both sides of each, and make a speaker say something.
struct DiscordController: Sendable {
    let channel: VoiceChannel
    let messages: ChannelLog
    let orchestrator: any Orchestration
    let voiceOutput: ChannelVoiceOutput
    /// Discord's REST latency, which a message post pays.
    let discordAPI: LatencySource
    let config: DiscordConfig

    static let maxMessageLength = 2_000  // Discord's own limit
    static let maxTranscriptLength = 4_000
    static let maxSpokenLength = 300

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.post("/mcp/send_message", use: sendMessage)
        group.get("/mcp/messages", use: listMessages)
        group.post("/mcp/transcript", use: transcript)
        group.get("/mcp/tools", use: tools)
        group.get("/voice/status", use: status)
        group.get("/voice/turns", use: listTurns)
        group.get("/voice/turns/{id}", use: turn)
        group.get("/voice/turns/{id}/input.opus", use: inputAudio)
        group.get("/voice/turns/{id}/reply.opus", use: replyAudio)
        group.post("/voice/speak", use: speak)
        group.get("/", use: page)
    }

    // MARK: MCP (the original's endpoints)

    struct SendMessageRequest: Decodable {
        var channelId: String
        var content: String
        enum CodingKeys: String, CodingKey {
            case content
            case channelId = "channel_id"
        }
    }

    struct SendMessageResponse: Encodable {
        var success: Bool
        var messageId: String
        enum CodingKeys: String, CodingKey {
            case success
            case messageId = "message_id"
        }
    }

    func sendMessage(request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(SendMessageRequest.self, limit: 64 * 1024)
        let channelID = body.channelId.trimmingCharacters(in: .whitespaces)
        guard !channelID.isEmpty else { throw FleetError.badRequest("channel_id must not be empty.") }
        guard !body.content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw FleetError.badRequest("content must not be empty.")
        }
        guard body.content.count <= Self.maxMessageLength else {
            throw FleetError.badRequest("content is \(body.content.count) characters; Discord allows \(Self.maxMessageLength).")
        }
        try await discordAPI.simulate()
        let message = await messages.post(channelID: channelID, content: body.content)
        return try Response.json(SendMessageResponse(success: true, messageId: message.messageId))
    }

    func listMessages(request: Request, context: BasicRequestContext) async throws -> Response {
        let limit = try Self.limit(request, default: 50, max: 200)
        let channelID = request.uri.queryParameters.get("channel_id")
        return try Response.json(["messages": await messages.recent(channelID: channelID, limit: limit)])
    }

    struct MCPTranscriptRequest: Decodable {
        var transcript: String
        var userId: String?
        var channelId: String?
        var includeAudio: Bool?
        enum CodingKeys: String, CodingKey {
            case transcript
            case userId = "user_id"
            case channelId = "channel_id"
            case includeAudio = "include_audio"
        }
    }

    /// Forwards a transcript to the orchestrator as the user's own conversation (a channel
    /// speaker's session when the user is one of them) and answers with the orchestrator's reply.
    func transcript(request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(MCPTranscriptRequest.self, limit: 64 * 1024)
        let text = body.transcript.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw FleetError.badRequest("transcript must not be empty.") }
        guard text.count <= Self.maxTranscriptLength else {
            throw FleetError.badRequest("transcript is \(text.count) characters; at most \(Self.maxTranscriptLength) are accepted.")
        }
        let session = await sessionID(forUser: body.userId)
        let includeAudio = body.includeAudio ?? false
        var reply = try await orchestrator.handle(TranscriptRequest(
            transcript: text, sessionId: session, correlationId: "discord-mcp-\(UUID().uuidString.prefix(8).lowercased())",
            voice: nil, includeAudio: includeAudio))
        if !includeAudio { reply.audioBase64 = nil }
        if let channelID = body.channelId, !channelID.isEmpty {
            await messages.post(channelID: channelID, content: reply.response)
        }
        return try Response.json(reply)
    }

    /// A speaker's own session, a stable one per other user, or none: without a user the
    /// orchestrator starts a fresh session rather than mixing strangers into one history.
    private func sessionID(forUser user: String?) async -> String? {
        guard let user = user?.trimmingCharacters(in: .whitespaces), !user.isEmpty else { return nil }
        let speakers = await channel.roster.all
        if let speaker = speakers.first(where: { $0.name.lowercased() == user.lowercased() }) { return speaker.sessionId }
        let safe = user.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return "discord-user-" + String(safe.prefix(64))
    }

    func tools(request: Request, context: BasicRequestContext) async throws -> Response {
        try Response.json(MCPTools.manifest)
    }

    // MARK: Voice (the demo surface)

    struct StatusView: Encodable {
        var channelOpen: Bool
        var autostart: Bool
        var packetLossPercent: Double
        var speakers: [SpeakerStatus]
        var turns: Int
        var outcomes: [String: Int]
        var medianEndToEndSeconds: Double?
        var botVoice: BotVoice

        struct BotVoice: Encodable {
            var frames: Int
            var seconds: Double
            var opusBytes: Int
            enum CodingKeys: String, CodingKey {
                case frames, seconds
                case opusBytes = "opus_bytes"
            }
        }

        enum CodingKeys: String, CodingKey {
            case autostart, speakers, turns, outcomes
            case channelOpen = "channel_open"
            case packetLossPercent = "packet_loss_percent"
            case medianEndToEndSeconds = "median_end_to_end_seconds"
            case botVoice = "bot_voice"
        }
    }

    func status(request: Request, context: BasicRequestContext) async throws -> Response {
        let outcomes = await channel.turns.outcomes
        let view = StatusView(
            channelOpen: await channel.roster.running, autostart: config.autostart,
            packetLossPercent: config.packetLossPercent, speakers: await channel.roster.all,
            turns: await channel.turns.finishedCount,
            outcomes: Dictionary(uniqueKeysWithValues: TurnOutcome.allCases.map { ($0.rawValue, outcomes[$0] ?? 0) }),
            medianEndToEndSeconds: await channel.turns.medianEndToEnd,
            botVoice: .init(frames: await voiceOutput.framesSent, seconds: await voiceOutput.secondsSent,
                            opusBytes: await voiceOutput.bytesSent))
        return try Response.json(view)
    }

    func listTurns(request: Request, context: BasicRequestContext) async throws -> Response {
        let limit = try Self.limit(request, default: 20, max: config.turnHistory)
        let turns = await channel.turns.recent(limit: limit).map(TurnView.init)
        return try Response.json(["turns": turns])
    }

    func turn(request: Request, context: BasicRequestContext) async throws -> Response {
        try Response.json(TurnView(try await record(request, context)))
    }

    func inputAudio(request: Request, context: BasicRequestContext) async throws -> Response {
        let record = try await record(request, context)
        guard !record.inputAudio.isEmpty else {
            throw FleetError.notFound("Turn \(record.id) has no input audio yet.")
        }
        return Self.opus(record.inputAudio, name: "turn-\(record.id)-input.opus")
    }

    func replyAudio(request: Request, context: BasicRequestContext) async throws -> Response {
        let record = try await record(request, context)
        guard let audio = record.replyAudio, !audio.isEmpty else {
            throw FleetError.notFound("Turn \(record.id) has no spoken reply (outcome: \(record.outcome?.rawValue ?? "in progress")).")
        }
        return Self.opus(audio, name: "turn-\(record.id)-reply.opus")
    }

    struct SpeakRequest: Decodable {
        var speaker: String?
        var text: String
    }

    struct SpeakResponse: Encodable {
        var turnId: Int
        var speaker: String
        var status: String
        var turnURL: String
        enum CodingKeys: String, CodingKey {
            case speaker, status
            case turnId = "turn_id"
            case turnURL = "turn_url"
        }
    }

    func speak(request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(SpeakRequest.self, limit: 16 * 1024)
        let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw FleetError.badRequest("text must not be empty.") }
        guard text.count <= Self.maxSpokenLength else {
            throw FleetError.badRequest("text is \(text.count) characters; a speaker says at most \(Self.maxSpokenLength) at once.")
        }
        guard text.contains(where: { $0.isLetter || $0.isNumber }) else {
            throw FleetError.badRequest("text has no words to speak.")
        }
        let queued: (turnID: Int, speaker: String)
        do {
            queued = try await channel.speak(text, as: body.speaker)
        } catch {
            switch error {
            case .noSpeakers:
                throw FleetError.unprocessable("The channel has no speakers (DISCORD_SPEAKERS=0).")
            case .unknownSpeaker(let name, let known):
                throw FleetError.badRequest("No speaker named '\(name)'; the channel has \(known.joined(separator: ", ")).")
            }
        }
        return try Response.json(SpeakResponse(turnId: queued.turnID, speaker: queued.speaker, status: "queued",
                                               turnURL: "/voice/turns/\(queued.turnID)"), status: .accepted)
    }

    func page(request: Request, context: BasicRequestContext) async throws -> Response {
        let html = VoicePage.render(turns: await channel.turns.recent(limit: config.turnHistory),
                                    speakers: await channel.roster.all,
                                    medianEndToEnd: await channel.turns.medianEndToEnd)
        return Response.bytes(Array(html.utf8), contentType: "text/html; charset=utf-8")
    }

    // MARK: Helpers

    private func record(_ request: Request, _ context: BasicRequestContext) async throws -> TurnRecord {
        guard let id = context.parameters.get("id", as: Int.self) else {
            throw FleetError.badRequest("The turn id must be a number.")
        }
        guard let record = await channel.turns.record(id: id) else {
            throw FleetError.notFound("No turn \(id) in the last \(config.turnHistory) turns.")
        }
        return record
    }

    private static func opus(_ bytes: [UInt8], name: String) -> Response {
        Response.bytes(bytes, contentType: "audio/ogg; codecs=opus",
                       headers: [.contentDisposition: "inline; filename=\"\(name)\"", .cacheControl: "no-store"])
    }

    private static func limit(_ request: Request, default fallback: Int, max upper: Int) throws -> Int {
        guard let raw = request.uri.queryParameters.get("limit") else { return min(fallback, upper) }
        guard let value = Int(raw), value >= 1 else { throw FleetError.badRequest("limit must be a positive whole number.") }
        return min(value, upper)
    }
}

/// A turn as /voice/turns shows it: everything but the audio, which is linked instead.
struct TurnView: Encodable {
    let record: TurnRecord

    init(_ record: TurnRecord) {
        self.record = record
    }

    enum CodingKeys: String, CodingKey {
        case id, speaker, phrase, transcript, request, error, latencies, outcome, links
        case sessionId = "session_id"
        case turnNumber = "turn_number"
        case startedAt = "started_at"
        case wakeDetected = "wake_detected"
        case wakePhrase = "wake_phrase"
        case replyText = "reply_text"
        case guardrailReason = "guardrail_reason"
        case segmentSeconds = "segment_seconds"
        case replySeconds = "reply_seconds"
        case playbackUnderruns = "playback_underruns"
        case traceId = "trace_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id, forKey: .id)
        try container.encode(record.speaker, forKey: .speaker)
        try container.encode(record.sessionId, forKey: .sessionId)
        try container.encode(record.turnNumber, forKey: .turnNumber)
        try container.encode(ISO8601DateFormatter().string(from: record.startedAt), forKey: .startedAt)
        try container.encode(record.phrase, forKey: .phrase)
        try container.encodeIfPresent(record.transcript, forKey: .transcript)
        try container.encode(record.wakeDetected, forKey: .wakeDetected)
        try container.encodeIfPresent(record.wakePhrase, forKey: .wakePhrase)
        try container.encodeIfPresent(record.request, forKey: .request)
        try container.encodeIfPresent(record.replyText, forKey: .replyText)
        try container.encodeIfPresent(record.guardrailReason, forKey: .guardrailReason)
        try container.encode(record.outcome?.rawValue ?? "in_progress", forKey: .outcome)
        try container.encodeIfPresent(record.error, forKey: .error)
        try container.encode(record.latencies, forKey: .latencies)
        try container.encode(record.segmentSeconds, forKey: .segmentSeconds)
        try container.encodeIfPresent(record.replySeconds, forKey: .replySeconds)
        try container.encode(record.playbackUnderruns, forKey: .playbackUnderruns)
        try container.encodeIfPresent(record.traceId, forKey: .traceId)
        var links: [String: String] = ["self": "/voice/turns/\(record.id)"]
        if !record.inputAudio.isEmpty { links["input_audio"] = "/voice/turns/\(record.id)/input.opus" }
        if record.replyAudio != nil { links["reply_audio"] = "/voice/turns/\(record.id)/reply.opus" }
        try container.encode(links, forKey: .links)
    }
}
