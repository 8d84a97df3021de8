import FleetContracts
import FleetTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
@testable import DiscordService
@testable import MonitoringDashboardService
@testable import OrchestratorService
@testable import TestingUIService

/// The finding: anyone on the host could delete sessions and forge dashboard rows, and any web page
/// the operator opened could do it through the browser. The pages' mutating endpoints now refuse
/// cross-site requests and, with FLEET_API_TOKEN set, requests without it.
@Suite("Mutating endpoints are guarded")
struct MutationGuardRoutesTests {
    static var report: String {
        #"{"turn_id":7,"speaker":"alice","session_id":"s1","outcome":"replied","finished_at":\#(Date().timeIntervalSince1970)}"#
    }
    static let crossSite: HTTPFields = [.contentType: "application/json", .origin: "http://evil.example",
                                        HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]

    /// (Host and same-origin checks need a request's authority, which the router test client does
    /// not set: MutationGuardTests covers them, and scripts/stack/security_test.py over real sockets.)
    @Test("the dashboard's turn reports: cross-site requests are 403, the bridge's own pass")
    func turnReports() async throws {
        try await DashboardFixture.app().application.test(.router) { client in
            for headers in [Self.crossSite, [.contentType: "application/json", .origin: "null"]] {
                let refused = try await client.execute(uri: "/api/turns", method: .post, headers: headers, body: ByteBuffer(string: Self.report))
                #expect(refused.status == .forbidden)
                #expect(String(buffer: refused.body).contains(#""code":"forbidden""#))
            }
            let fleet = try await client.execute(uri: "/api/turns", method: .post, headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(string: Self.report))
            #expect(fleet.status == .accepted)
        }
    }

    @Test("the orchestrator's session delete refuses a cross-site request")
    func sessionDelete() async throws {
        try await OrchestratorHarness().application().test(.router) { client in
            let refused = try await client.execute(uri: "/mcp/sessions/s1", method: .delete, headers: Self.crossSite)
            #expect(refused.status == .forbidden)
            let own = try await client.execute(uri: "/mcp/sessions/s1", method: .delete)
            #expect(own.status == .notFound)
        }
    }

    @Test("testing-ui's scenario and load switches refuse a cross-site request")
    func scenarioSwitches() async throws {
        try await TestingUIFlagFixture().test { client in
            for (method, uri, body) in [(HTTPRequest.Method.put, "/scenarios/otlpBlackhole", #"{"on":true}"#),
                                        (.post, "/scenarios/reset", ""), (.put, "/load", #"{"speakers":2}"#)] {
                let refused = try await client.execute(uri: uri, method: method, headers: Self.crossSite, body: ByteBuffer(string: body))
                #expect(refused.status == .forbidden, "\(uri)")
            }
        }
    }

    @Test("the bridge's load switch refuses a cross-site request")
    func voiceLoad() async throws {
        let peers = DiscordService.Peers(audioProcessor: FakeAudioProcessor(), stt: FakeTranscriber(), orchestrator: FakeOrchestrator())
        try await testApplication(DiscordService.self, peers: peers).application.test(.router) { client in
            let refused = try await client.execute(uri: "/voice/load", method: .put, headers: Self.crossSite,
                                                   body: ByteBuffer(string: #"{"speakers":1}"#))
            #expect(refused.status == .forbidden)
        }
    }
}
