import FleetContracts
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

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
    /// Response header saying why a reply that should have had audio has none.
    public static let audioErrorHeader = HTTPField.Name("X-Audio-Error")!

    let orchestrator: TurnOrchestrator
    let connections: [PeerConnection]

    public init(orchestrator: TurnOrchestrator, connections: [PeerConnection]) {
        self.orchestrator = orchestrator
        self.connections = connections
    }

    public func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.post("/mcp/transcript", use: transcript)
        group.get("/mcp/tools", use: tools)
        group.get("/mcp/connections", use: connectionStatus)
        group.get("/mcp/sessions/{session_id}", use: session)
        group.delete("/mcp/sessions/{session_id}", use: deleteSession)
    }

    func transcript(request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(TranscriptRequest.self, limit: Self.transcriptBodyLimit)
        let result = try await orchestrator.handle(try TurnInput(body))
        var headers = HTTPFields()
        if let audioError = result.audioError {
            headers[Self.audioErrorHeader] = "\(audioError.code): \(audioError.message)"
        }
        return try Response.json(result.response, headers: headers)
    }

    func tools(request: Request, context: BasicRequestContext) async throws -> Response {
        try Response.json(ToolList(tools: MCPTools.all))
    }

    func connectionStatus(request: Request, context: BasicRequestContext) async throws -> Response {
        try Response.json(await ConnectionList.probe(connections))
    }

    func session(request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try sessionId(context)
        guard let conversation = try await orchestrator.store.conversation(session: id) else {
            throw FleetError.notFound("No session '\(id)' is stored; it never existed, was deleted, or lived in memory before a restart.")
        }
        return try Response.json(conversation, encoder: Self.encoder)
    }

    func deleteSession(request: Request, context: BasicRequestContext) async throws -> Response {
        let id = try sessionId(context)
        guard try await orchestrator.store.delete(session: id) else {
            throw FleetError.notFound("No session '\(id)' is stored.")
        }
        await orchestrator.updateSessionGauge()
        return try Response.json(["session_id": id, "status": "deleted"])
    }

    private func sessionId(_ context: BasicRequestContext) throws -> String {
        let id = try context.parameters.require("session_id")
        try TurnInput.checkIdentifier(id, field: "session_id")
        return id
    }

    /// Dates in ISO 8601, as people and JavaScript read them.
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

extension Response {
    /// JSON with a particular encoder (ISO 8601 dates); `Response.json` uses the default one.
    static func json<T: Encodable>(_ value: T, encoder: JSONEncoder) throws -> Response {
        .bytes(Array(try encoder.encode(value)), contentType: "application/json")
    }
}
