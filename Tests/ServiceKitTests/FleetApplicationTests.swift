import FleetTelemetry
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import ServiceKit
import ServiceLifecycle
import Testing

/// A tiny service to exercise the kit: one JSON echo route with a small body limit, and one
/// optional peer.
enum EchoService: FleetService {
    static let member = FleetMember.guardrails
    static let openAPIDocument = Array("openapi: 3.1.0\n".utf8)

    struct Echo: Codable, ResponseEncodable {
        let text: String
        let repeatCount: Int?
    }

    struct Peers: Sendable {
        var optional: any Peer
    }

    static func peers(runtime: ServiceRuntime) -> Peers {
        Peers(optional: runtime.client(for: .llm, timeout: .seconds(1)))
    }

    static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime, peers: Peers) async throws -> [any Service] {
        routes.post("/echo") { request, _ in
            try await request.decodeJSON(Echo.self, limit: 64)
        }
        // How many bytes arrived and their sum: a large body read in many pieces must arrive whole.
        routes.post("/count") { request, _ -> Echo in
            let body = try await request.body.collect(upTo: 4 << 20)
            let sum = body.readableBytesView.reduce(0) { $0 &+ Int($1) }
            return Echo(text: "\(body.readableBytes):\(sum)", repeatCount: nil)
        }
        routes.get("/teapot") { _, _ -> Echo in
            throw FleetError(status: .init(code: 418), code: .rateLimited, message: "short and stout")
        }
        await runtime.health.addDependency(peers.optional, required: false)
        return []
    }
}

/// A peer that never answers.
struct DownPeer: Peer {
    let name = "llm-flan"
    let url = "memory://llm-flan"
    func isLive() async -> Bool { false }
}

@Suite("Fleet application")
struct FleetApplicationTests {
    func app() async throws -> FleetApplication.Built {
        let settings = try ServiceSettings.forTesting(member: .guardrails)
        return try await FleetApplication.build(EchoService.self, runtime: ServiceRuntime(member: .guardrails, settings: settings),
                                                registry: PrometheusCollectorRegistry(), peers: .init(optional: DownPeer()))
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
                #expect(dependencies["llm-flan"]?["url"] as? String == "memory://llm-flan")
                let details = try #require(body["health_details"] as? [String: Any])
                #expect(details["uptime_seconds"] is Double && details["check_duration_ms"] is Double)
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

    @Test("a good request echoes, snake_case on the wire both ways")
    func echo() async throws {
        try await app().application.test(.router) { client in
            try await client.execute(uri: "/echo", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"text":"hi","repeat_count":2}"#)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let body = try json(response.body)
                #expect(body["text"] as? String == "hi")
                #expect(body["repeat_count"] as? Int == 2)
                #expect(body["repeatCount"] == nil)
            }
        }
    }

    @Test("a thrown FleetError keeps its status and its code is the metric label")
    func typedError() async throws {
        try await app().application.test(.router) { client in
            try await client.execute(uri: "/teapot", method: .get) { response in
                #expect(response.status.code == 418)
                let error = try #require(try json(response.body)["error"] as? [String: Any])
                #expect(error["code"] as? String == "rate_limited")
                #expect(error["message"] as? String == "short and stout")
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
