import HTTPTypes
import Testing
@testable import ServiceKit

/// The rules behind the pages' mutating endpoints (see MutationGuard's threat model).
@Suite("Mutation guard")
struct MutationGuardTests {
    static func head(_ authority: String?, _ fields: HTTPFields = [:]) -> HTTPRequest {
        HTTPRequest(method: .post, scheme: "http", authority: authority, path: "/api/turns", headerFields: fields)
    }

    @Test("on loopback: the fleet's own calls and same-origin page requests pass")
    func loopbackAccepts() throws {
        let guarded = try MutationGuard(host: "127.0.0.1", token: nil)
        #expect(guarded.refusal(of: Self.head("127.0.0.1:8501")) == nil)
        #expect(guarded.refusal(of: Self.head("localhost:8501", [.origin: "http://localhost:8501",
                                                                  HTTPField.Name("Sec-Fetch-Site")!: "same-origin"])) == nil)
        #expect(guarded.refusal(of: Self.head("[::1]:8501", [.origin: "http://[::1]:8501"])) == nil)
    }

    @Test("on loopback: cross-site, rebinding and opaque-origin requests are 403",
          arguments: [("127.0.0.1:8501", ["Origin": "http://evil.example"]),
                      ("127.0.0.1:8501", ["Origin": "http://127.0.0.1:8080"]),
                      ("127.0.0.1:8501", ["Origin": "null"]),
                      ("127.0.0.1:8501", ["Sec-Fetch-Site": "cross-site"]),
                      ("127.0.0.1:8501", ["Sec-Fetch-Site": "same-site"]),
                      ("rebind.attacker.example:8501", [:]),
                      ("127.0.0.1.attacker.example:8501", ["Origin": "http://127.0.0.1.attacker.example:8501"])])
    func loopbackRefuses(authority: String, fields: [String: String]) throws {
        let guarded = try MutationGuard(host: "127.0.0.1", token: nil)
        var headers = HTTPFields()
        for (name, value) in fields { headers[HTTPField.Name(name)!] = value }
        #expect(guarded.refusal(of: Self.head(authority, headers))?.status == .forbidden)
    }

    @Test("beyond loopback a token is required to start, and on every guarded request")
    func tokenBeyondLoopback() throws {
        #expect(throws: SettingsError.self) { try MutationGuard(host: "0.0.0.0", token: nil) }
        #expect(throws: SettingsError.self) { try MutationGuard(host: "0.0.0.0", token: "short") }
        let guarded = try MutationGuard(host: "0.0.0.0", token: "0123456789abcdef0123")
        #expect(guarded.refusal(of: Self.head("monitoring-dashboard:8501"))?.status == .unauthorized)
        #expect(guarded.refusal(of: Self.head("monitoring-dashboard:8501", [.authorization: "Bearer wrong-token-0000000"]))?.status == .unauthorized)
        #expect(guarded.refusal(of: Self.head("monitoring-dashboard:8501", [.authorization: "Bearer 0123456789abcdef0123"])) == nil)
        #expect(guarded.refusal(of: Self.head("monitoring-dashboard:8501", [.authorization: "Bearer 0123456789abcdef0123",
                                                                            .origin: "http://evil.example"]))?.status == .forbidden)
    }
}
