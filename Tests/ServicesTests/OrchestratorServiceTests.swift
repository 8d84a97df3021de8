import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
@testable import OrchestratorService

@Suite("Orchestrator service")
struct OrchestratorServiceTests {
    typealias Fixture = OrchestratorFixture

    @Test("built with its peers: SQLite in DATA_DIR is a readiness component, turns go through the peers and are kept")
    func builtService() async throws {
        let directory = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = FakeLanguageModel()
        let peers = OrchestratorService.Peers(guardrails: FakeGuardrails(), languageModel: model, speech: FakeSpeech())
        let built = try await testApplication(OrchestratorService.self, environment: ["DATA_DIR": directory], peers: peers)
        #expect(FileManager.default.fileExists(atPath: directory + "/" + SQLiteConversationStore.fileName))

        try await built.application.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let report = try Fixture.decode(HealthMonitor.Report.self, response.body)
                #expect(report.components["sqlite"] == true)
                #expect(Set(report.dependencies.keys) == ["guardrails", "llm-flan", "tts-bark"])
                #expect(report.dependencies.values.allSatisfy { $0.required && $0.status == "healthy" })
            }
            let reply = try await client.execute(uri: "/mcp/transcript", method: .post, headers: Fixture.json,
                                                 body: ByteBuffer(string: #"{"transcript": "hello"}"#)) { response in
                #expect(response.status == .ok)
                return try Fixture.decode(TranscriptResponse.self, response.body)
            }
            #expect(reply.response == "You said: hello")
            #expect(reply.engine == "fake-flan")
            #expect(await model.prompts.count == 1)
            try await client.execute(uri: "/mcp/sessions/\(reply.sessionId)", method: .get) { response in
                #expect(response.status == .ok)
                let conversation = try Fixture.decode(Conversation.self, response.body)
                #expect(conversation.turnCount == 1)
            }
            try await client.execute(uri: "/mcp/sessions/unknown", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("unreachable peers: readiness is 503 naming each one, and a turn fails with guardrails' 502")
    func unreachablePeers() async throws {
        let directory = Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let built = try await testApplication(OrchestratorService.self, environment: [
            "DATA_DIR": directory,
            // Nothing listens on port 1: connections are refused at once.
            "GUARDRAILS_URL": "http://127.0.0.1:1", "LLM_URL": "http://127.0.0.1:1", "TTS_URL": "http://127.0.0.1:1",
            // AsyncHTTPClient keeps retrying a refused connection until the deadline; keep it short.
            "ORCHESTRATOR_GUARDRAILS_TIMEOUT": "0.2",
        ])

        try await built.application.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let report = try Fixture.decode(HealthMonitor.Report.self, response.body)
                #expect(report.components["sqlite"] == true)
                #expect(Set(report.dependencies.keys) == ["guardrails", "llm-flan", "tts-bark"])
                #expect(report.dependencies.values.allSatisfy { $0.required && $0.status == "unreachable" })
            }
            try await client.execute(uri: "/mcp/transcript", method: .post, headers: Fixture.json,
                                     body: ByteBuffer(string: #"{"transcript": "hello"}"#)) { response in
                #expect(response.status == .badGateway)
                let error = try Fixture.decode(Fixture.ErrorBody.self, response.body).error
                #expect(error.code == "unavailable")
                #expect(error.message.hasPrefix("guardrails"))
            }
            try await client.execute(uri: "/mcp/connections", method: .get) { response in
                let list = try Fixture.decode(ConnectionList.self, response.body)
                #expect(list.connections.map(\.url) == ["http://127.0.0.1:1", "http://127.0.0.1:1", "http://127.0.0.1:1"])
                #expect(list.connections.allSatisfy { $0.status == "unreachable" })
            }
        }
    }
}
