import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import OrchestratorService
import ServiceKit
import Testing
@testable import DiscordService

/// What `make contract-test` (schemathesis against each service's OpenAPI document) found, each
/// kept as a regression test on the service in memory.
@Suite("OpenAPI contract findings")
struct OpenAPIFindingsTests {
    /// The bridge turned a user id into a session id by keeping letters and digits, non-ASCII ones
    /// too; the orchestrator takes ASCII ids only, so `{"user_id": "José"}` got its 400 relayed as
    /// a 502 `bad_response`.
    @Test("POST /mcp/transcript makes a session id the orchestrator accepts from any user id",
          arguments: ["José", "Zoë Ünal", "\u{9C}\u{96}\u{06})\u{C3}i\u{87}X", "ユーザー", "plain-user_1"])
    func userIdBecomesAnASCIISessionId(_ user: String) async throws {
        let orchestrator = FakeOrchestrator()
        let peers = DiscordService.Peers(audioProcessor: FakeAudioProcessor(), stt: FakeTranscriber(),
                                         orchestrator: orchestrator)
        let built = try await testApplication(DiscordService.self, peers: peers)
        let body = try JSONSerialization.data(withJSONObject: ["transcript": "hello there", "user_id": user])
        try await built.application.test(.router) { client in
            try await client.execute(uri: "/mcp/transcript", method: .post, headers: [.contentType: MediaType.json],
                                     body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .ok)
            }
        }
        let sent = try #require(await orchestrator.requests.first?.sessionId)
        #expect(throws: Never.self) { try TurnInput.checkIdentifier(sent, field: "session_id") }
    }
}
