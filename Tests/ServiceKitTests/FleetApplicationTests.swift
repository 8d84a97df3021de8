import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import ServiceKit
import ServiceLifecycle
import Testing

/// A tiny service to exercise the kit: one JSON echo route with a small body limit.
enum EchoService: FleetService {
    static let member = FleetMember.guardrails

    struct Echo: Codable { let text: String }

    static func build(routes: RouterGroup<BasicRequestContext>, runtime: ServiceRuntime) async throws -> [any Service] {
        routes.post("/echo") { request, _ in
            let echo = try await request.decodeJSON(Echo.self, limit: 64)
            return try Response.json(echo)
        }
        await runtime.health.addDependency(runtime.client(for: .llm), required: false)
        return []
    }
}

@Suite("Fleet application")
struct FleetApplicationTests {
    func app(environment: [String: String] = [:]) async throws -> FleetApplication.Built {
        // Point the optional peer at a port nothing listens on, so readiness sees it down.
        var environment = environment
        environment["LLM_URL"] = environment["LLM_URL"] ?? "http://127.0.0.1:9"
        let settings = try ServiceSettings.forTesting(member: .guardrails, environment: environment)
        return try await FleetApplication.build(EchoService.self, runtime: ServiceRuntime(member: .guardrails, settings: settings),
                                                registry: PrometheusCollectorRegistry())
    }

    func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test("liveness and readiness use the original's shape; a down optional peer degrades")
    func health() async throws {
        try await app().application.test(.router) { client in
            try await client.execute(uri: "/health/live", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["status"] as? String == "alive")
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["status"] as? String == "degraded")
                #expect(body["service"] as? String == "guardrails")
                let dependencies = try #require(body["dependencies"] as? [String: [String: Any]])
                #expect(dependencies["llm-flan"]?["status"] as? String == "unreachable")
                #expect(body["health_details"] != nil)
            }
        }
    }

    @Test("bad input gets the one JSON error shape", arguments: [
        ("{\"txt\": 1}", HTTPResponse.Status.badRequest, "bad_request"),
        ("not json", .badRequest, "bad_request"),
        ("", .badRequest, "bad_request"),
        (String(repeating: "x", count: 500), .contentTooLarge, "payload_too_large"),
    ])
    func errors(body: String, status: HTTPResponse.Status, code: String) async throws {
        try await app().application.test(.router) { client in
            try await client.execute(uri: "/echo", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: body)) { response in
                #expect(response.status == status)
                #expect(response.headers[.contentType] == "application/json")
                let error = try #require(try json(response.body)["error"] as? [String: Any])
                #expect(error["code"] as? String == code)
                #expect(error["service"] as? String == "guardrails")
                #expect((error["message"] as? String)?.isEmpty == false)
            }
            try await client.execute(uri: "/no/such/route", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("a good request echoes")
    func echo() async throws {
        try await app().application.test(.router) { client in
            try await client.execute(uri: "/echo", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"text":"hi"}"#)) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["text"] as? String == "hi")
            }
        }
    }

    @Test("malformed settings fail naming the variable", arguments: [
        ("PORT", "eighty"), ("FLEET_SEED", "-1"), ("LATENCY_SCALE", "fast"), ("STT_URL", "stt:9000"),
    ])
    func badSettings(variable: String, value: String) {
        do {
            _ = try ServiceSettings.forTesting(member: .stt, environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch let error as SettingsError {
            #expect(error.variable == variable)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("settings read the original's variables")
    func settings() throws {
        let settings = try ServiceSettings.forTesting(member: .stt, environment: [
            "PORT": "9000", "AUDIO_PROCESSOR_URL": "http://audio-processor:9100", "FLEET_SEED": "7"])
        #expect(settings.port == 9000)
        #expect(settings.seed == 7)
        #expect(settings.peerURLs[.audioProcessor] == "http://audio-processor:9100")
        #expect(settings.peerURLs[.llm] == "http://127.0.0.1:8110")
    }
}
