import FleetContracts
import Foundation
public import HTTPTypes
public import Hummingbird
public import ServiceKit

extension HTTPField.Name {
    /// orchestrator: why a reply that should have had audio has none (`timeout: tts-bark: ...`).
    public static let audioError = HTTPField.Name("X-Audio-Error")!
}

/// The orchestrator's HTTP surface, the original's MCP-style routes:
///
///     POST   /mcp/transcript               a turn: transcript in, reply text and audio out
///     GET    /mcp/tools                    the agent's tools as MCP tool descriptors
///     GET    /mcp/connections              each peer's URL and whether it answers now
///     GET    /mcp/sessions/{session_id}    a session's stored history
///     DELETE /mcp/sessions/{session_id}    forget a session
public struct OrchestratorController: Sendable {
    /// A transcript of 4000 characters is at most 16 KB of UTF-8; the rest is ids and room for escapes.
    static let transcriptBodyLimit = 64 * 1024

    let orchestrator: TurnOrchestrator
    /// Session delete is refused cross-site, and without FLEET_API_TOKEN beyond loopback.
    var mutationGuard = MutationGuard.loopbackDefault

    public init(orchestrator: TurnOrchestrator, mutationGuard: MutationGuard = .loopbackDefault) {
        self.orchestrator = orchestrator
        self.mutationGuard = mutationGuard
    }

    public func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.post("/mcp/transcript", use: transcript)
        group.get("/mcp/tools", use: tools)
        group.get("/mcp/connections", use: connectionStatus)
        group.get("/mcp/sessions/{session_id}", use: session)
        group.guarded(by: mutationGuard).delete("/mcp/sessions/{session_id}", use: deleteSession)
    }

    func transcript(request: Request, context: FleetRequestContext) async throws -> EditedResponse<TranscriptResponse> {
        let body = try await request.decodeJSON(TranscriptRequest.self, limit: Self.transcriptBodyLimit)
        let result = try await orchestrator.handle(try TurnInput(body))
        var headers = HTTPFields()
        if let audioError = result.audioError {
            headers[.audioError] = "\(audioError.code): \(audioError.message)"
        }
        return EditedResponse(headers: headers, response: result.response)
    }

    /// The manifest is camelCase by the Model Context Protocol's own spec (`inputSchema`,
    /// `additionalProperties`, `maxLength`), so it is not written in the fleet's snake_case.
    func tools(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        try BinaryBody.camelCaseJSON(ToolList(tools: MCPTools.all))
    }

    func connectionStatus(request: Request, context: FleetRequestContext) async throws -> ConnectionList {
        await ConnectionList.probe(orchestrator.peers.connections)
    }

    func session(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        let id = try sessionId(context)
        guard let conversation = try await orchestrator.store.conversation(session: id) else {
            throw FleetError.notFound("No session '\(id)' is stored; it never existed, was deleted, or lived in memory before a restart.")
        }
        return BinaryBody(Array(try Self.encoder.encode(conversation)), contentType: MediaType.json)
    }

    func deleteSession(request: Request, context: FleetRequestContext) async throws -> [String: String] {
        let id = try sessionId(context)
        guard try await orchestrator.store.delete(session: id) else {
            throw FleetError.notFound("No session '\(id)' is stored.")
        }
        await orchestrator.updateSessionGauge()
        return ["session_id": id, "status": "deleted"]
    }

    private func sessionId(_ context: FleetRequestContext) throws -> String {
        let id = try context.parameters.require("session_id")
        try TurnInput.checkIdentifier(id, field: "session_id")
        return id
    }

    /// The fleet's JSON with dates in ISO 8601, as people and JavaScript read them (the fleet's
    /// own encoder would write seconds since 2001).
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder.fleet
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension ConnectionList: ResponseEncodable {}
