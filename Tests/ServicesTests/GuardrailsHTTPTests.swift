import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
@testable import GuardrailsService

@Suite("Guardrails HTTP")
struct GuardrailsHTTPTests {
    func withApp(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await testApplication(GuardrailsService.self).application.test(.router, test)
    }

    func post(_ client: any TestClientProtocol, _ uri: String, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: [.contentType: "application/json"],
                                 body: ByteBuffer(string: body))
    }

    @Test func validateInputOverHTTP() async throws {
        try await withApp { client in
            let response = try await post(client, "/validate/input", #"{"text":"email me: a@b.io","validation_type":"input"}"#)
            #expect(response.status == .ok)
            let result = try JSONDecoder.fleet.decode(ValidationResult.self, from: Data(response.body.readableBytesView))
            #expect(result.safe)
            #expect(result.sanitized == "email me: [EMAIL_REDACTED]")
            #expect(result.reason == "pii")
            #expect(String(buffer: response.body).contains("\"toxicity_score\":"))
        }
    }

    @Test func validateOutputOverHTTPBlocksToxicReplies() async throws {
        try await withApp { client in
            let response = try await post(client, "/validate/output", #"{"text":"Shut up, you moron."}"#)
            #expect(response.status == .ok)
            let result = try JSONDecoder.fleet.decode(ValidationResult.self, from: Data(response.body.readableBytesView))
            #expect(!result.safe)
            #expect(result.reason == "toxicity")
        }
    }

    @Test func badJSONIsA400() async throws {
        try await withApp { client in
            for body in ["{not json", #"{"txt":"hi"}"#, #"{"text":42}"#, ""] {
                let response = try await post(client, "/validate/input", body)
                #expect(response.status == .badRequest)
                let text = String(buffer: response.body)
                #expect(text.contains("\"code\":\"bad_request\""))
                #expect(text.contains("\"service\":\"guardrails\""))
            }
        }
    }

    @Test func aHugeBodyIsA413() async throws {
        try await withApp { client in
            let huge = #"{"text":""# + String(repeating: "x", count: 200_000) + #""}"#
            let response = try await post(client, "/validate/output", huge)
            #expect(response.status == .contentTooLarge)
            #expect(String(buffer: response.body).contains("payload_too_large"))
        }
    }

    @Test func rulesAreListed() async throws {
        try await withApp { client in
            let response = try await client.execute(uri: "/rules", method: .get)
            #expect(response.status == .ok)
            let rules = try JSONDecoder.fleet.decode(RuleSet.self, from: Data(response.body.readableBytesView))
            #expect(rules.input.maxLength == 1000)
            #expect(rules.input.injectionPhrases.contains("[inst]"))
            #expect(rules.output.toxicityThreshold == 0.7)
            let raw = String(buffer: response.body)
            #expect(["\"max_length\"", "\"injection_phrases\"", "\"toxicity_terms\"", "\"toxicity_scoring\""].allSatisfy(raw.contains))
            #expect(rules.pii.map(\.replacement) == ["[EMAIL_REDACTED]", "[CREDIT_CARD_REDACTED]", "[SSN_REDACTED]", "[PHONE_REDACTED]"])
        }
    }

    @Test func escalateOverHTTP() async throws {
        try await withApp { client in
            let response = try await post(client, "/escalate", #"{"reason":"user asked for a human","context":{"session_id":"s1"}}"#)
            #expect(response.status == .ok)
            let ticket = try JSONDecoder.fleet.decode(EscalationTicket.self, from: Data(response.body.readableBytesView))
            #expect(ticket.escalated)
            #expect(ticket.reason == "user asked for a human")
            #expect(ticket.ticketId.hasPrefix("ESC-"))
            #expect(String(buffer: response.body).contains("\"ticket_id\":\"ESC-"))

            let again = try await post(client, "/escalate", #"{"reason":"user asked for a human","context":{"session_id":"s1"}}"#)
            #expect(try JSONDecoder.fleet.decode(EscalationTicket.self, from: Data(again.body.readableBytesView)) == ticket)

            let empty = try await post(client, "/escalate", #"{"reason":"  "}"#)
            #expect(empty.status == .badRequest)
        }
    }

    @Test func readinessReportsTheRules() async throws {
        try await withApp { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body).contains("\"rules\":true"))
        }
    }
}
