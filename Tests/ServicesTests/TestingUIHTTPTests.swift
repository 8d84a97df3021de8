import FleetAudio
import FleetSpeech
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
    /// The real service over in-memory peers, with its history in a folder of its own.
    static func build(_ environment: [String: String] = [:], fakes: TestingUIFakes = TestingUIFakes(),
                      dataDirectory: String = temporaryDataDirectory()) async throws -> FleetApplication.Built {
        try await testApplication(TestingUIService.self, environment: ["DATA_DIR": dataDirectory].merging(environment) { $1 },
                                  peers: fakes.peers)
    }

    /// Runs `body` against the service (over in-memory peers), then removes its history folder.
    static func test(_ environment: [String: String] = [:], fakes: TestingUIFakes = TestingUIFakes(),
                     _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let folder = temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await build(environment, fakes: fakes, dataDirectory: folder).application.test(.router, body)
    }

    /// A fresh folder name under the temporary directory (created by whoever writes there).
    static func temporaryDataDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("testing-ui-\(UUID().uuidString)").path
    }

    static func post(_ client: some TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/api/run", method: .post, headers: [.contentType: MediaType.json],
                                 body: ByteBuffer(string: body))
    }

    @Test("POST /api/run answers with every documented field")
    func runJSON() async throws {
        try await Self.test { client in
            let response = try await Self.post(client, #"{"text": "hey atlas, tell me a joke", "reply_voice": "v2/en_speaker_4"}"#)
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect(Set(json.keys) == ["id", "input_kind", "text",
                                       "transcript", "transcript_source", "response", "allowed", "guardrail_reason",
                                       "session_id", "turn", "voice", "reply_voice", "input_audio_base64",
                                       "input_audio_seconds", "input_quality", "reply_audio_base64", "reply_audio_seconds",
                                       "timings_ms", "trace_id"])
            #expect(json["transcript"] as? String == "hey atlas, tell me a joke")
            #expect(json["session_id"] as? String == "session-new")
            #expect(json["guardrail_reason"] is NSNull && json["trace_id"] is NSNull)
            #expect(json["reply_voice"] as? String == "v2/en_speaker_4")
            #expect((json["input_quality"] as? [String: Any])?["quality_score"] as? Double == 0.9)
            let timings = try #require(json["timings_ms"] as? [String: Double])
            #expect(Set(timings.keys) == ["synthesize", "upload", "process", "transcribe", "orchestrate", "total"])
            #expect(json["id"] as? Int == 1 && json["input_kind"] as? String == "text")
            #expect(json["text"] as? String == "hey atlas, tell me a joke")
        }
    }

    @Test("a peer failure is the fleet's JSON error naming the peer")
    func peerFailure() async throws {
        try await Self.test(fakes: TestingUIFakes(failing: "stt")) { client in
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
        try await Self.test { client in
            let response = try await Self.post(client, body)
            #expect(response.status == .badRequest)
            let text = String(buffer: response.body)
            #expect(text.contains(#""code":"bad_request""#))
            #expect(text.contains(message), "\(text) does not say \(message)")
        }
    }

    @Test("TESTING_UI_MAX_TEXT_LENGTH sets the limit, on the page and in the API")
    func configuredLimit() async throws {
        try await Self.test(["TESTING_UI_MAX_TEXT_LENGTH": "20"]) { client in
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

    @Test("GET / is the shared frame's page, with the run form, the result slot, the history and no external asset")
    func page() async throws {
        try await Self.test { client in
            // The in-process router sends every request to authority `localhost`.
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let html = String(buffer: response.body)
                for element in TestingUIPageTests.formElements + [
                    #"<textarea id="text" name="text" maxlength="500">"#,
                    // The frame: navigation built from the Host header, this page current.
                    #"<a href="http://localhost:8080" aria-current="page">Testing UI</a>"#,
                    #"<a href="http://localhost:8501">Monitoring</a>"#,
                ] {
                    #expect(html.contains(element), "the page lacks \(element)")
                }
                for external in ["src=\"http", "rel=\"stylesheet", "@import", "<script src", "url(http"] {
                    #expect(!html.contains(external), "the page loads something external: \(external)")
                }
            }
        }
    }

    @Test("GET /api/voices lists every synthesizer voice and the defaults")
    func voices() async throws {
        try await Self.test { client in
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
        let folder = Self.temporaryDataDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let unreachable = ["AUDIO_PROCESSOR_URL": "http://127.0.0.1:1", "STT_URL": "http://127.0.0.1:1",
                           "ORCHESTRATOR_URL": "http://127.0.0.1:1", "DISCORD_URL": "http://127.0.0.1:1", "DATA_DIR": folder]
        let built = try await testApplication(TestingUIService.self, environment: unreachable)
        try await built.application.test(.router) { client in
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let report = try JSONDecoder.fleet.decode(HealthMonitor.Report.self, from: Data(response.body.readableBytesView))
                #expect(report.status == "not_ready")
                #expect(Set(report.dependencies.keys) == ["audio-processor", "stt", "orchestrator", "discord"])
                #expect(report.dependencies.filter(\.value.required).keys.sorted() == ["audio-processor", "orchestrator", "stt"])
                #expect(report.dependencies.values.allSatisfy { $0.status == "unreachable" })
                #expect(report.components == ["sqlite": true], "the run history is the service's own component")
            }
        }
    }
}
