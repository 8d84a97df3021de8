import FleetAudio
import FleetSpeech
import FleetContracts
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import ServiceKit
import Testing
@testable import TestingUIService

/// POST /api/run/audio: a file (or a browser recording) instead of typed text, through the same
/// stages after it is made Ogg Opus.
@Suite("testing-ui uploads")
struct TestingUIUploadTests {
    /// Speech as a 16-bit WAV at `rate`, the way a recorder or a tool would save it.
    static func speechWAV(_ text: String, rate: Int = 16_000) -> [UInt8] {
        let pcm = SpeechSynthesizer(voice: .default).synthesize(text)
        return WAV.encode(Resampler.resample(pcm, from: AudioFormat.sampleRate, to: rate), sampleRate: rate)
    }

    /// Speech as Ogg Opus, labelled with what it says (as the fleet's own files are).
    static func speechOgg(_ text: String) throws -> [UInt8] {
        try OggOpus.encode(SpeechSynthesizer(voice: .default).synthesize(text),
                           comments: [OpusComment.referenceTranscript: text, OpusComment.title: "from a file"])
    }

    static func post(_ client: some TestClientProtocol, _ bytes: [UInt8], type: String?, query: String = "")
        async throws -> TestResponse {
        var headers: HTTPFields = [:]
        if let type { headers[.contentType] = type }
        return try await client.execute(uri: "/api/run/audio" + query, method: .post, headers: headers,
                                        body: ByteBuffer(bytes: bytes))
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    @Test("a WAV file is decoded, resampled to 48 kHz, encoded as Ogg Opus and run; stt listens (no transcript comment)")
    func wavUpload() async throws {
        // An upload carries no transcript: the fake recogniser "hears" this, as the real one derives words from the sound.
        let fakes = TestingUIFakes(heard: "what time is it")
        let wav = Self.speechWAV("Hey Atlas, what time is it?")
        let seconds = Double(try WAV.decode(wav).samples.count) / 16_000
        try await TestingUIHTTPTests.test(fakes: fakes) { client in
            let response = try await Self.post(client, wav, type: "audio/x-wav",
                                               query: "?voice=v2/en_speaker_2&reply_voice=v2/en_speaker_5&session_id=s-9&origin=microphone")
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let json = try Self.json(response)
            #expect(json["input_kind"] as? String == "microphone" && json["text"] is NSNull)
            #expect(json["transcript"] as? String == "what time is it")
            #expect(json["response"] as? String == "You said: what time is it")
            #expect(json["session_id"] as? String == "s-9" && json["reply_voice"] as? String == "v2/en_speaker_5")
            let timings = try #require(json["timings_ms"] as? [String: Double])
            #expect(timings["synthesize"] == 0 && (timings["upload"] ?? 0) > 0)
            let sent = try OggOpus.decode(Array(try #require(Data(base64Encoded: json["input_audio_base64"] as? String ?? ""))))
            #expect(abs(sent.duration - seconds) < 0.01, "the 16 kHz file keeps its length at 48 kHz")
            #expect(sent.comments[OpusComment.speaker] == "testing-ui")
        }
        let heard = try #require(await fakes.transcriber.received.first)
        #expect(heard.comments[OpusComment.referenceTranscript] == nil, "an upload has no transcript metadata")
        #expect(heard.comments[FakeAudioProcessor.processedComment] == "yes")
        #expect(await fakes.recorder.calls == ["audio-processor", "stt", "orchestrator"])
        #expect(await fakes.orchestrator.requests.first?.voice == "v2/en_speaker_5")
    }

    @Test("an Ogg Opus file is validated and sent as it came, comments and all", arguments: ["audio/ogg", "audio/opus", nil])
    func oggUpload(type: String?) async throws {
        let fakes = TestingUIFakes()
        let ogg = try Self.speechOgg("Ok Atlas, tell me a joke.")
        try await TestingUIHTTPTests.test(fakes: fakes) { client in
            let response = try await Self.post(client, ogg, type: type)
            #expect(response.status == .ok, "\(String(buffer: response.body))")
            let json = try Self.json(response)
            #expect(json["input_kind"] as? String == "file")
            #expect(json["transcript"] as? String == "Ok Atlas, tell me a joke.")
            #expect(json["input_audio_base64"] as? String == Data(ogg).base64EncodedString(), "the file is sent unchanged")
            let id = try #require(json["id"] as? Int)
            let stored = try await client.execute(uri: "/runs/\(id)/input.ogg", method: .get)
            #expect(Array(stored.body.readableBytesView) == ogg)
            let record = try Self.json(try await client.execute(uri: "/api/runs/\(id)", method: .get))
            #expect(record["input_format"] as? String == "ogg_opus" && record["input_kind"] as? String == "file")
        }
        #expect(await fakes.transcriber.received.first?.comments[OpusComment.title] == "from a file")
    }

    @Test("a bad upload is a clear 4xx, counted, and never reaches a peer or the history", arguments: [
        ("audio/mpeg", "wav", "", HTTPResponse.Status.unsupportedMediaType, "Content-Type 'audio/mpeg' is not supported"),
        ("text/plain", "garbage", "", .unsupportedMediaType, "not supported"),
        (nil, "garbage", "", .unsupportedMediaType, "neither Ogg Opus nor WAV"),
        ("audio/wav", "garbage", "", .badRequest, "cannot be decoded"),
        ("audio/ogg", "garbage", "", .badRequest, "cannot be decoded"),
        ("audio/wav", "empty", "", .badRequest, "has no audio"),
        ("audio/wav", "click", "", .badRequest, "at least 0.1 s"),
        ("audio/wav", "long", "", .contentTooLarge, "at most 2 s"),
        ("audio/wav", "big", "", .contentTooLarge, "larger than 65536 bytes"),
        ("audio/wav", "wav", "?voice=nobody", .badRequest, "Unknown voice 'nobody'"),
        ("audio/wav", "wav", "?origin=camera", .badRequest, "'origin' is 'camera'"),
    ] as [(String?, String, String, HTTPResponse.Status, String)])
    func badUpload(type: String?, body: String, query: String, status: HTTPResponse.Status, message: String) async throws {
        let bytes: [UInt8] = switch body {
        case "wav": Self.speechWAV("hello")
        case "garbage": Array(String(repeating: "this is not audio ", count: 20).utf8)
        case "empty": []
        case "click": WAV.encode([Float](repeating: 0.1, count: 800), sampleRate: 16_000)  // 50 ms
        case "long": WAV.encode([Float](repeating: 0, count: 3 * 8_000), sampleRate: 8_000)  // 3 s
        default: WAV.encode([Float](repeating: 0, count: 48_000), sampleRate: 48_000)  // 96 KB
        }
        let fakes = TestingUIFakes()
        try await TestMetrics.collecting { registry in
            try await TestingUIHTTPTests.test(["TESTING_UI_MAX_AUDIO_SECONDS": "2", "TESTING_UI_MAX_UPLOAD_BYTES": "65536"],
                                              fakes: fakes) { client in
                let response = try await Self.post(client, bytes, type: type, query: query)
                #expect(response.status == status, "\(String(buffer: response.body))")
                let error = try #require(try Self.json(response)["error"] as? [String: Any])
                #expect((error["message"] as? String)?.contains(message) == true, "\(error)")
                let runs = try Self.json(try await client.execute(uri: "/api/runs", method: .get))
                #expect((runs["runs"] as? [Any])?.isEmpty == true, "a refused upload is not kept")
            }
            let metrics = registry.emitToString()
            let counted = metrics.split(separator: "\n").contains {
                $0.hasPrefix("http_server_errors_total{") && $0.contains("/api/run/audio") && !$0.hasSuffix(" 0")
            }
            #expect(counted, "the refusal is counted in http_server_errors_total")
        }
        #expect(await fakes.recorder.calls.isEmpty)
    }
}
