import FleetContracts
import FleetTelemetry
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
@testable import OrchestratorService

@Suite("Orchestrator HTTP")
struct OrchestratorHTTPTests {
    typealias Fixture = OrchestratorFixture

    @Test("POST /mcp/transcript answers the turn; GET and DELETE /mcp/sessions/{id} show and forget it")
    func transcriptAndSessionRoutes() async throws {
        let harness = OrchestratorHarness()
        try await harness.application().test(.router) { client in
            let body = #"{"transcript": "hello", "correlation_id": "c-1", "voice": "v2/en_speaker_3"}"#
            let reply = try await client.execute(uri: "/mcp/transcript", method: .post, headers: Fixture.json,
                                                 body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""audio_base64":""#))
                return try Fixture.decode(TranscriptResponse.self, response.body)
            }
            #expect(reply.correlationId == "c-1")
            #expect(reply.voice == "v2/en_speaker_3")
            #expect(reply.engine == "fake-flan")

            try await client.execute(uri: "/mcp/sessions/\(reply.sessionId)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""turn_count":1"#))
                let conversation = try Fixture.decode(Conversation.self, response.body)
                #expect(conversation.turnCount == 1)
                #expect(conversation.messages.map(\.role) == ["user", "assistant"])
                #expect(conversation.messages.first?.content == "hello")
                #expect(conversation.messages.first?.correlationId == "c-1")
            }
            try await client.execute(uri: "/mcp/sessions/\(reply.sessionId)", method: .delete) { response in
                #expect(response.status == .ok)
                let deleted = try Fixture.decode([String: String].self, response.body)
                #expect(deleted == ["session_id": reply.sessionId, "status": "deleted"])
            }
            try await client.execute(uri: "/mcp/sessions/\(reply.sessionId)", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("bad requests are 400 JSON errors", arguments: [
        "", "{not json", #"{"session_id": "s"}"#, #"{"transcript": ""}"#, #"{"transcript": "   "}"#,
        #"{"transcript": 42}"#, #"{"transcript": "hi", "session_id": "a b"}"#,
    ])
    func badRequests(_ body: String) async throws {
        let harness = OrchestratorHarness()
        try await harness.application().test(.router) { client in
            try await client.execute(uri: "/mcp/transcript", method: .post, headers: Fixture.json,
                                     body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let error = try Fixture.decode(Fixture.ErrorBody.self, response.body).error
                #expect(error.code == "bad_request")
            }
        }
        #expect(await harness.guardrails.inputs.isEmpty)
    }

    @Test("a body over the limit is 413")
    func oversizedBody() async throws {
        let harness = OrchestratorHarness()
        try await harness.application().test(.router) { client in
            let huge = #"{"transcript": ""# + String(repeating: "a", count: 70_000) + #""}"#
            try await client.execute(uri: "/mcp/transcript", method: .post, headers: Fixture.json,
                                     body: ByteBuffer(string: huge)) { response in
                #expect(response.status == .contentTooLarge)
            }
        }
    }

    @Test("an unknown session is a 404 JSON error for GET and DELETE")
    func unknownSession() async throws {
        try await OrchestratorHarness().application().test(.router) { client in
            for method in [HTTPRequest.Method.get, .delete] {
                try await client.execute(uri: "/mcp/sessions/never-seen", method: method) { response in
                    #expect(response.status == .notFound)
                    let error = try Fixture.decode(Fixture.ErrorBody.self, response.body).error
                    #expect(error.code == "not_found")
                }
            }
        }
    }

    @Test("a failing peer becomes the kit's 502 error; synthesis failing adds X-Audio-Error instead")
    func downstreamFailures() async throws {
        let down = OrchestratorHarness(guardrails: FakeGuardrails(failure: .downstream(.unavailable, peer: "guardrails", "refused")))
        try await down.application().test(.router) { client in
            try await client.execute(uri: "/mcp/transcript", method: .post, headers: Fixture.json,
                                     body: ByteBuffer(string: #"{"transcript": "hi"}"#)) { response in
                #expect(response.status == .badGateway)
                let error = try Fixture.decode(Fixture.ErrorBody.self, response.body).error
                #expect(error.code == "unavailable")
            }
        }
        let mute = OrchestratorHarness(speech: FakeSpeech(failure: .downstream(.timeout, peer: "tts-bark", "slow")))
        try await mute.application().test(.router) { client in
            try await client.execute(uri: "/mcp/transcript", method: .post, headers: Fixture.json,
                                     body: ByteBuffer(string: #"{"transcript": "hi"}"#)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.audioError]?.hasPrefix("timeout") == true)
                #expect(response.headers[.audioError] == "timeout: tts-bark: slow")
                let reply = try Fixture.decode(TranscriptResponse.self, response.body)
                #expect(reply.audioBase64 == nil)
            }
        }
    }

    @Test("GET /mcp/tools lists the original agent's three tools with JSON-schema inputs, in MCP's camelCase")
    func tools() async throws {
        try await OrchestratorHarness().application().test(.router) { client in
            try await client.execute(uri: "/mcp/tools", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let list = try JSONDecoder().decode(ToolList.self, from: Data(response.body.readableBytesView))
                #expect(list.tools.map(\.name) == ["SendDiscordMessage", "SearchWeb", "GetCurrentTime"])
                #expect(list.tools.allSatisfy { $0.inputSchema.type == "object" })
                #expect(list.tools.first?.inputSchema.required == ["channel_id", "message"])
                #expect(list.tools.first?.inputSchema.properties["message"]?.maxLength == 2000)
                let raw = String(buffer: response.body)
                #expect(raw.contains("\"inputSchema\""))
                #expect(raw.contains("\"additionalProperties\":false"))
                #expect(raw.contains("\"maxLength\":2000"))
                #expect(raw.contains("\"channel_id\""))
                #expect(!raw.contains("input_schema") && !raw.contains("max_length"))
            }
        }
    }

    @Test("GET /mcp/connections reports each peer's URL and whether it answers now")
    func connections() async throws {
        let harness = OrchestratorHarness(model: FakeLanguageModel(failure: peerUnavailable("llm-flan")))
        try await harness.application().test(.router) { client in
            try await client.execute(uri: "/mcp/connections", method: .get) { response in
                let list = try Fixture.decode(ConnectionList.self, response.body)
                #expect(list.connections.map(\.service) == ["guardrails", "llm-flan", "tts-bark"])
                #expect(list.connections.map(\.status) == ["connected", "unreachable", "connected"])
                #expect(list.connections.map(\.url) == ["memory://guardrails", "memory://llm-flan", "memory://tts-bark"])
                #expect(list.connections.allSatisfy { $0.required })
                let raw = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                let entries = try #require(raw?["connections"] as? [[String: Any]])
                #expect(entries.allSatisfy { Set($0.keys) == ["service", "url", "status", "required"] })
            }
        }
    }
}
