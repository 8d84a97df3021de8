import FleetContracts
import FleetTelemetry
import FleetTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import ServiceKit
import Synchronization
import Testing
@testable import GuardrailsService

/// Collects the lines a stream log handler writes.
private final class LogLines: TextOutputStream, Sendable {
    private let text = Mutex("")
    func write(_ string: String) { text.withLock { $0 += string } }
    var all: String { text.withLock { $0 } }
}

/// The findings on POST /escalate: a newline in `reason` forged a whole line in the guardrails log,
/// and the card number or e-mail in a reason or context was logged and echoed in full.
@Suite("Escalation: one log line, no personal data")
struct EscalationLogTests {
    @Test("a newline-laden reason with a card number and an e-mail is one escaped, redacted line")
    func escalationIsOneRedactedLine() async throws {
        let lines = LogLines()
        let logger = Logger(label: "guardrails") { Telemetry.lineHandler(label: $0, level: .info, stream: lines) }
        let runtime = ServiceRuntime(member: .guardrails, settings: try ServiceSettings.forTesting(
            member: .guardrails, environment: ["LATENCY_SCALE": "0.01"]), logger: logger)
        let app = try await testApplication(GuardrailsService.self, runtime: runtime, peers: NoPeers())
        let body = #"{"reason":"card 4111 1111 1111 1111\n2026-12-06T00:00:00+0000 critical guardrails : forged\u001b[31m","context":{"email":"jane.doe@example.com"}}"#
        try await app.application.test(.router) { client in
            let response = try await client.execute(uri: "/escalate", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(string: body))
            #expect(response.status == .ok)
            let reply = String(buffer: response.body)
            #expect(!reply.contains("4111") && !reply.contains("jane.doe@example.com"), "\(reply)")
            #expect(reply.contains("[CREDIT_CARD_REDACTED]"))
        }
        let escalations = lines.all.split(separator: "\n").filter { $0.contains("conversation escalated") || $0.contains("forged") }
        #expect(escalations.count == 1, "\(lines.all)")
        let line = String(escalations.first ?? "")
        #expect(!line.contains("4111 1111") && !line.contains("jane.doe@example.com"), "\(line)")
        #expect(line.contains("[CREDIT_CARD_REDACTED]") && line.contains("[EMAIL_REDACTED]"), "\(line)")
        #expect(line.contains(#"\n2026-12-06T00:00:00"#) && line.contains(#"\u{1B}[31m"#), "\(line)")
    }
}
