import FleetAudio
import FleetContracts
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOFoundationEssentialsCompat
import ServiceKit
import Testing
@testable import STTService

@Suite("stt: HTTP")
struct STTHTTPTests {
    @Test("POST /asr with Ogg Opus answers what was said even with the audio processor down")
    func asrDegraded() async throws {
        let body = try STTFixture.ogg(STTFixture.speech(), reference: STTFixture.phrase)
        let built = try await STTFixture.app(audioProcessor: STTFixture.downAudioProcessor)
        try await built.application.test(.router) { client in
            try await client.execute(uri: "/asr?correlation_id=turn-7&word_timestamps=true", method: .post,
                                     headers: [.contentType: "audio/ogg"], body: ByteBuffer(bytes: body)) { response in
                #expect(response.status == .ok)
                let result = try STTFixture.result(response)
                #expect(STTFixture.words(result.text) == STTFixture.words(STTFixture.phrase))
                #expect(result.source == "pocketsphinx")
                #expect(result.correlationId == "turn-7")
                #expect(result.inputBytes == body.count)
                #expect(result.model == "pocketsphinx-0.8-en-us (fleet vocabulary)")
                #expect(result.device == "cpu")
                #expect(result.language == "en")
                #expect(result.segments?.count == STTFixture.words(STTFixture.phrase).count)
                #expect(result.totalMs >= result.processingMs)
                #expect(response.headers[.processingTimeMs] != nil)
            }
            try await client.execute(uri: "/health/ready", method: .get) { response in
                #expect(response.status == .ok)
                let report = try JSONDecoder.fleet.decode(HealthMonitor.Report.self, from: Data(buffer: response.body))
                #expect(report.status == "degraded")
                #expect(report.dependencies["audio-processor"]?.required == false)
            }
        }
    }

    @Test("POST /asr accepts WAV, sniffs untyped bodies, and is deterministic")
    func asrFormats() async throws {
        let samples = STTFixture.speech()
        let wav = WAV.encode(Resampler.resample(samples, from: 48_000, to: 16_000), sampleRate: 16_000)
        let processor = FakeAudioProcessor()
        try await STTFixture.app(audioProcessor: processor).application.test(.router) { client in
            var texts: [String] = []
            for contentType in ["audio/wav", "application/octet-stream", "audio/x-wav"] {
                try await client.execute(uri: "/asr", method: .post, headers: [.contentType: contentType],
                                         body: ByteBuffer(bytes: wav)) { response in
                    #expect(response.status == .ok, "\(contentType)")
                    let result = try STTFixture.result(response)
                    #expect(result.source == "pocketsphinx")
                    #expect(abs(result.duration - Double(samples.count) / 48_000) < 0.01)
                    texts.append(result.text)
                }
            }
            #expect(Set(texts).count == 1)
            #expect(texts.first.map(STTFixture.words) == STTFixture.words(STTFixture.phrase))
        }
        // Each upload went through the audio processor first.
        #expect(await processor.calls == 3)
    }

    @Test("POST /transcribe takes a multipart form with a file field")
    func multipart() async throws {
        let audio = try STTFixture.ogg(STTFixture.speech(), reference: STTFixture.phrase)
        let boundary = "----fleet-boundary-42"
        var body = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n".utf8)
        body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"turn.opus\"\r\nContent-Type: audio/ogg\r\n\r\n".utf8)
        body += audio
        body += Array("\r\n--\(boundary)--\r\n".utf8)
        let form = body
        try await STTFixture.app().application.test(.router) { client in
            try await client.execute(uri: "/transcribe?language=en&beam_size=5", method: .post,
                                     headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                                     body: ByteBuffer(bytes: form)) { response in
                #expect(response.status == .ok)
                let result = try STTFixture.result(response)
                #expect(STTFixture.words(result.text) == STTFixture.words(STTFixture.phrase))
            }
            let noFile = Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--\(boundary)--\r\n".utf8)
            try await client.execute(uri: "/transcribe", method: .post,
                                     headers: [.contentType: "multipart/form-data; boundary=\(boundary)"],
                                     body: ByteBuffer(bytes: noFile)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/transcribe", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: audio)) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }

    @Test("bad requests get clear 4xx errors")
    func errors() async throws {
        let audio = try STTFixture.ogg(STTFixture.speech(), reference: STTFixture.phrase)
        try await STTFixture.app(["STT_MAX_BODY_BYTES": "4096"]).application.test(.router) { client in
            try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "audio/ogg"]) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "text/plain"],
                                     body: ByteBuffer(string: "hey atlas")) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(STTFixture.errorCode(response) == "unsupported_media_type")
            }
            try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: Array("ID3 an mp3, not an Ogg stream".utf8))) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("not_ogg_opus"))
            }
            try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "application/octet-stream"],
                                     body: ByteBuffer(string: "plain bytes, no magic")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
            try await client.execute(uri: "/asr?beam_size=99", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: Array(audio.prefix(1000)))) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("beam_size"))
            }
            #expect(audio.count > 4096)
            try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: audio)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(STTFixture.errorCode(response) == "payload_too_large")
            }
        }
    }
}
