import FleetContracts
import Foundation
import Hummingbird
import ServiceKit

/// The original bridge's MCP endpoints: post a message into a channel, read the channel back,
/// forward a transcript to the orchestrator, and list the tools.
struct MCPController: Sendable {
    let fleet: VoiceFleet
    let messages: ChannelLog
    let orchestrator: any Orchestration
    /// Discord's REST latency, which a message post pays.
    let discordAPI: LatencySource

    static let maxMessageLength = 2_000  // Discord's own limit
    static let maxTranscriptLength = 4_000
    /// Both bodies are a short text and a few ids.
    static let bodyLimit = 64 * 1024

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.post("/mcp/send_message", use: sendMessage)
        group.get("/mcp/messages", use: listMessages)
        group.post("/mcp/transcript", use: transcript)
        group.get("/mcp/tools", use: tools)
    }

    struct SendMessageRequest: Decodable {
        var channelId: String
        var content: String
    }

    struct SendMessageResponse: ResponseEncodable {
        var success: Bool
        var messageId: String
    }

    func sendMessage(request: Request, context: FleetRequestContext) async throws -> SendMessageResponse {
        let body = try await request.decodeJSON(SendMessageRequest.self, limit: Self.bodyLimit)
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
        return SendMessageResponse(success: true, messageId: message.messageId)
    }

    func listMessages(request: Request, context: FleetRequestContext) async throws -> [String: [ChannelLog.Message]] {
        let limit = try request.limitParameter(default: 50, max: 200)
        let channelID = request.uri.queryParameters.get("channel_id")
        return ["messages": await messages.recent(channelID: channelID, limit: limit)]
    }

    struct TranscriptBody: Decodable {
        var transcript: String
        var userId: String?
        var channelId: String?
        var includeAudio: Bool?
    }

    /// Forwards a transcript to the orchestrator as the user's own conversation (a channel
    /// speaker's session when the user is one of them) and answers with the orchestrator's reply.
    func transcript(request: Request, context: FleetRequestContext) async throws -> TranscriptResponse {
        let body = try await request.decodeJSON(TranscriptBody.self, limit: Self.bodyLimit)
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
        return reply
    }

    /// A speaker's own session, a stable one per other user, or none: without a user the
    /// orchestrator starts a fresh session rather than mixing strangers into one history.
    private func sessionID(forUser user: String?) async -> String? {
        guard let user = user?.trimmingCharacters(in: .whitespaces), !user.isEmpty else { return nil }
        let speakers = await fleet.roster.all
        if let speaker = speakers.first(where: { $0.name.lowercased() == user.lowercased() }) { return speaker.sessionId }
        // ASCII only: the orchestrator takes session ids of ASCII letters, digits and `-_.:`.
        let safe = user.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" }
        return "discord-user-" + String(safe.prefix(64))
    }

    /// MCP's manifest is camelCase by its own spec (`inputSchema`), so it skips the fleet's snake_case.
    func tools(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        try BinaryBody.camelCaseJSON(MCPTools.manifest)
    }
}
