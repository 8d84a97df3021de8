import FleetAudio
import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import TestingUIService

@Suite("testing-ui over HTTP")
struct TestingUIHTTPTests {
    /// The real service over in-memory peers.
    static func build(_ environment: [String: String] = [:], fakes: TestingUIFakes = TestingUIFakes()) async throws
        -> FleetApplication.Built {
        try await testApplication(TestingUIService.self, environment: environment, peers: fakes.peers)
    }

    static func post(_ client: some TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/run", method: .post, headers: [.contentType: MediaType.json],
                                 body: ByteBuffer(string: body))
    }

    @Test("POST /api/run answers with every documented field")
    func runJSON() async throws {
        try await Self.build().application.test(.router) { client in
            let response = try await Self.post(client, #"{"text": "hey atlas, tell me a joke", "reply_voice": "v2/en_speaker_4"}"#)
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(Set(json.keys) == ["transcript", "transcript_source", "response", "allowed", "guardrail_reason",
                                       "session_id", "turn", "voice", "reply_voice", "input_audio_base64",
                                       "input_audio_seconds", "input_quality", "reply_audio_base64", "reply_audio_seconds",
                                       "timings_ms", "trace_id"])
            #expect(json["transcript"] as? String == "hey atlas, tell me a joke")
            #expect(json["session_id"] as? String == "session-new")
            #expect(json["guardrail_reason"] is NSNull && json["trace_id"] is NSNull)
            #expect(json["reply_voice"] as? String == "v2/en_speaker_4")
            #expect((json["input_quality"] as? [String: Any])?["quality_score"] as? Double == 0.9)
            let timings = try #require(json["timings_ms"] as? [String: Double])
            #expect(Set(timings.keys) == ["synthesize", "process", "transcribe", "orchestrate", "total"])
        }
    }

    @Test("a peer failure is the fleet's JSON error naming the peer")
    func peerFailure() async throws {
        try await Self.build(fakes: TestingUIFakes(failing: "stt")).application.test(.router) { client in
            let response = try await Self.post(client, #"{"text": "hello"}"#)
            #expect(response.status == .badGateway)
            let body = String(buffer: response.body)
            #expect(body.contains(#""code":"unavailable""#) && body.contains("stt: connection refused"))
        }
    }

    @Test("bad input is a 400 that says what is wrong", arguments: [
        (#"{"text": ""}"#, "empty"),
        (#"{"text": "   \n "}"#, "empty"),
        (#"{"text": "?!..."}"#, "no letters"),
        ("{\"text\": \"\(String(repeating: "a", count: 501))\"}", "at most 500"),
        (#"{"text": "hi", "voice": "v2/en_speaker_99"}"#, "Unknown voice"),
        (#"{"text": "hi", "reply_voice": "alloy"}"#, "Unknown reply_voice"),
        (#"{"voice": "v2/en_speaker_1"}"#, "missing field 'text'"),
        (#"{"text": 42}"#, "wrong type"),
        ("not json", "not valid JSON"),
    ])
    func badInput(body: String, message: String) async throws {
        try await Self.build().application.test(.router) { client in
            let response = try await Self.post(client, body)
            #expect(response.status == .badRequest)
            let text = String(buffer: response.body)
            #expect(text.contains(#""code":"bad_request""#))
            #expect(text.contains(message), "\(text) does not say \(message)")
        }
    }

    @Test("TESTING_UI_MAX_TEXT_LENGTH sets the limit, on the page and in the API")
    func configuredLimit() async throws {
        try await Self.build(["TESTING_UI_MAX_TEXT_LENGTH": "20"]).application.test(.router) { client in
            let response = try await Self.post(client, #"{"text": "this sentence is longer than twenty"}"#)
            #expect(response.status == .badRequest)
            #expect(String(buffer: response.body).contains("at most 20"))
            try await client.execute(uri: "/", method: .get) { page in
                #expect(String(buffer: page.body).contains(#"maxlength="20""#))
            }
        }
    }

    @Test("malformed settings stop start-up naming the variable", arguments: [
        ("TESTING_UI_MAX_TEXT_LENGTH", "lots"), ("TESTING_UI_MAX_TEXT_LENGTH", "0"), ("TESTING_UI_PEER_TIMEOUT", "-5"),
    ])
    func badSettings(variable: String, value: String) async throws {
        let error = await #expect(throws: SettingsError.self) { try await Self.build([variable: value]) }
        #expect(error?.variable == variable)
    }

    @Test("GET / is a self-contained page with the form, the results and both players")
    func page() async throws {
        try await Self.build().application.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let html = String(buffer: response.body)
                for element in ["<textarea id=\"text\" maxlength=\"500\"", "<select id=\"voice\">", "<select id=\"reply-voice\">",
                                "<button id=\"run\"", "id=\"transcript\"", "id=\"response\"", "id=\"timings\"", "id=\"trace\"",
                                "<audio id=\"input-audio\" controls>", "<audio id=\"reply-audio\" controls>",
                                "fetch(\"api/run\"", "fetch(\"api/voices\")"] {
                    #expect(html.contains(element), "the page lacks \(element)")
                }
                for external in ["src=\"http", "href=\"http", "<link", "@import"] {
                    #expect(!html.contains(external), "the page loads something external: \(external)")
                }
            }
        }
    }

    @Test("GET /api/voices lists every synthesizer voice and the defaults")
    func voices() async throws {
        try await Self.build().application.test(.router) { client in
            try await client.execute(uri: "/api/voices", method: .get) { response in
                #expect(response.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(Set(json.keys) == ["voices", "default", "default_reply"])
                let catalog = try JSONDecoder.fleet.decode(VoiceCatalog.self, from: Data(response.body.readableBytesView))
                #expect(catalog.voices.map(\.id) == Voice.all.map(\.id))
                #expect(catalog.voices.allSatisfy { !$0.description.isEmpty })
                #expect(catalog.default == "v2/en_speaker_0")
                #expect(catalog.defaultReply == "v2/en_speaker_1")
            }
        }
    }

    @Test("not ready while its three required peers are down, and says which; the voice bridge is optional")
    func readiness() async throws {
        // The HTTP peers, pointed at a port nobody listens on: the subject is an unreachable peer.
        let unreachable = ["AUDIO_PROCESSOR_URL": "http://127.0.0.1:1", "STT_URL": "http://127.0.0.1:1",
                           "ORCHESTRATOR_URL": "http://127.0.0.1:1", "DISCORD_URL": "http://127.0.0.1:1"]
        let built = try await testApplication(TestingUIService.self, environment: unreachable)
        try await built.application.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let report = try JSONDecoder.fleet.decode(HealthMonitor.Report.self, from: Data(response.body.readableBytesView))
                #expect(report.status == "not_ready")
                #expect(Set(report.dependencies.keys) == ["audio-processor", "stt", "orchestrator", "discord"])
                #expect(report.dependencies.filter(\.value.required).keys.sorted() == ["audio-processor", "orchestrator", "stt"])
                #expect(report.dependencies.values.allSatisfy { $0.status == "unreachable" })
            }
        }
    }
}
