import FleetContracts
import FleetTelemetry
import Foundation
import NIOCore
import Tracing
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

    /// One route, two answers: the whole reply as JSON, or with `"stream": true` the reply as
    /// server-sent events, sentence by sentence (`ReplyStreamEvent`).
    func transcript(request: Request, context: FleetRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(TranscriptRequest.self, limit: Self.transcriptBodyLimit)
        let input = try TurnInput(body)
        if body.stream == true { return stream(input) }
        let result = try await orchestrator.handle(input)
        var headers = HTTPFields()
        if let audioError = result.audioError {
            headers[.audioError] = "\(audioError.code): \(audioError.message)"
        }
        return try EditedResponse(headers: headers, response: result.response).response(from: request, context: context)
    }

    /// A streamed turn: the 200 goes out at once, then one `sentence` event per sentence as it is
    /// ready, and `done` (or `error`, when the turn failed after the 200 had gone).
    ///
    /// The body is written after the handler (and its server span) has returned, so the request's
    /// trace context is carried into the writer by hand, as llm-flan does: the turn's span then
    /// covers the whole stream and is a child of the request's span.
    func stream(_ input: TurnInput) -> Response {
        let parent = ServiceContext.current ?? .topLevel
        let orchestrator = orchestrator
        let body = ResponseBody { writer in
            let (events, sink) = AsyncStream<ReplyStreamEvent>.makeStream()
            // The turn runs beside the writer, so a slow reader never holds up the turn's own
            // timing; the writer stops the turn when the caller has gone (a failed write).
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await ServiceContext.$current.withValue(parent) {
                        do {
                            let result = try await orchestrator.handleStreaming(input) { sentence in
                                sink.yield(.sentence(sentence))
                            }
                            sink.yield(.done(result.done))
                        } catch {
                            let failure = FleetError.from(error)
                            sink.yield(.error(ReplyStreamError(code: failure.code.description, message: failure.message,
                                                               service: OrchestratorService.member.name)))
                        }
                        sink.finish()
                    }
                }
                for await event in events {
                    try await writer.write(ByteBuffer(bytes: try event.serverSentEvent()))
                }
                try await group.waitForAll()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok,
                        headers: [.contentType: MediaType.eventStream, .cacheControl: "no-cache", .accelBuffering: "no"],
                        body: body)
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
