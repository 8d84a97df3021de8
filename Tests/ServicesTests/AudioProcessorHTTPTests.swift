import FleetAudio
import FleetContracts
import FleetTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOFoundationEssentialsCompat
import ServiceKit
import Testing
@testable import AudioProcessorService

private typealias Fixture = AudioProcessorFixture

@Suite("audio-processor: HTTP")
struct AudioProcessorHTTPTests {
    @Test("POST /process/segment answers Ogg Opus that keeps the comments, trimmed, with quality headers")
    func segmentOverHTTP() async throws {
        let speech = Fixture.speech()
        let input = try Fixture.ogg(Fixture.padded(speech, before: 1, after: 1),
                                    comments: [OpusComment.referenceTranscript: Fixture.phrase, OpusComment.speaker: "ana"])
        try await Fixture.app().application.test(.router) { client in
            try await client.execute(uri: "/process/segment", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: input)) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "audio/ogg; codecs=opus")
                let output = try OggOpus.decode(Array(buffer: response.body))
                #expect(output.comments[OpusComment.referenceTranscript] == Fixture.phrase)
                #expect(output.comments[OpusComment.speaker] == "ana")
                #expect(output.duration < Double(speech.count) / Fixture.rate + 0.3)
                let header = { (name: HTTPField.Name) in response.headers[name].flatMap(Double.init) }
                #expect(header(AudioQualityHeader.durationSeconds).map { abs($0 - output.duration) < 0.01 } == true)
                #expect(header(AudioQualityHeader.qualityScore).map { (0...1).contains($0) } == true)
                #expect(header(AudioQualityHeader.rmsDbfs).map { abs($0 - -20) < 1.5 } == true)
                #expect(header(AudioQualityHeader.speechSeconds) != nil)
                #expect(header(.processingTimeMs) != nil)
                // Measured after a second Opus round trip: still about -20 dBFS.
                #expect(abs(LevelStats.measure(output.samples).rmsDbfs - -20) < 1.5)
            }
        }
    }

    @Test("Accept: application/json gets the original's JSON shape")
    func segmentAsJSON() async throws {
        let input = try Fixture.ogg(Fixture.padded(Fixture.speech()))
        try await Fixture.app().application.test(.router) { client in
            try await client.execute(uri: "/process/segment", method: .post,
                                     headers: [.contentType: "audio/ogg", .accept: "application/json"],
                                     body: ByteBuffer(bytes: input)) { response in
                #expect(response.status == .ok)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(object?["success"] as? Bool == true)
                #expect(object?["error"] is NSNull)
                #expect(object?["processing_time_ms"] is Double)
                let metrics = object?["quality_metrics"] as? [String: Any]
                #expect(metrics?["quality_score"] is Double)
                #expect(metrics?["speech_seconds"] is Double)
                let audio = (object?["audio_base64"] as? String).flatMap { Data(base64Encoded: $0) }
                let decoded = try audio.map { try OggOpus.decode(Array($0)) }
                #expect(decoded?.comments[OpusComment.referenceTranscript] == Fixture.phrase)
            }
        }
    }

    @Test("WAV input is accepted and answered as Ogg Opus")
    func wavInput() async throws {
        let wav = WAV.encode(Resampler.resample(Fixture.padded(Fixture.speech()), from: 48_000, to: 16_000), sampleRate: 16_000)
        try await Fixture.app().application.test(.router) { client in
            for path in ["/process/segment", "/enhance/audio", "/denoise"] {
                try await client.execute(uri: path, method: .post, headers: [.contentType: "audio/wav"],
                                         body: ByteBuffer(bytes: wav)) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentType] == "audio/ogg; codecs=opus")
                    #expect(AudioSniffer.isOggOpus(Array(buffer: response.body)))
                }
            }
        }
    }

    @Test("enhance and denoise keep the comments over HTTP")
    func enhanceAndDenoiseKeepComments() async throws {
        let input = try Fixture.ogg(Fixture.padded(Fixture.speech(gain: 0.3)))
        try await Fixture.app().application.test(.router) { client in
            for path in ["/enhance/audio", "/denoise"] {
                try await client.execute(uri: path, method: .post, headers: [.contentType: "audio/ogg; codecs=opus"],
                                         body: ByteBuffer(bytes: input)) { response in
                    #expect(response.status == .ok, "\(path)")
                    let output = try OggOpus.decode(Array(buffer: response.body))
                    #expect(output.comments[OpusComment.referenceTranscript] == Fixture.phrase, "\(path)")
                }
            }
        }
    }

    @Test("bad uploads get clear 4xx JSON errors")
    func errors() async throws {
        let input = try Fixture.ogg(Fixture.padded(Fixture.speech()))
        try await Fixture.app(["AUDIO_PROCESSOR_MAX_BODY_BYTES": "4096"]).application.test(.router) { client in
            try await client.execute(uri: "/process/segment", method: .post, headers: [.contentType: "text/plain"],
                                     body: ByteBuffer(string: "hello")) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(Fixture.errorCode(response) == "unsupported_media_type")
            }
            try await client.execute(uri: "/process/segment", method: .post, headers: [.contentType: "audio/ogg"]) { response in
                #expect(response.status == .badRequest)
                #expect(Fixture.errorCode(response) == "bad_request")
            }
            try await client.execute(uri: "/enhance/audio", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: Array("ID3 an mp3, not an Ogg stream".utf8))) { response in
                #expect(response.status == .badRequest)
                #expect(Fixture.errorMessage(response).contains("not_ogg_opus"))
            }
            try await client.execute(uri: "/denoise", method: .post, headers: [.contentType: "audio/wav"],
                                     body: ByteBuffer(bytes: Array("RIFF....WAVEjunk".utf8))) { response in
                #expect(response.status == .badRequest)
                #expect(Fixture.errorMessage(response).contains("invalid_wav"))
            }
            #expect(input.count > 4096)
            try await client.execute(uri: "/process/segment", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: input)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(Fixture.errorCode(response) == "payload_too_large")
            }
        }
    }

    @Test("a truncated Ogg Opus file is a 400 naming the codec error")
    func truncated() async throws {
        let input = try Fixture.ogg(Fixture.padded(Fixture.speech()))
        try await Fixture.app().application.test(.router) { client in
            try await client.execute(uri: "/process/segment", method: .post, headers: [.contentType: "audio/ogg"],
                                     body: ByteBuffer(bytes: Array(input.prefix(input.count / 2)))) { response in
                #expect(response.status == .badRequest)
                let message = Fixture.errorMessage(response)
                #expect(message.contains("truncated") || message.contains("not_ogg_opus"))
            }
        }
    }

    @Test("POST /process/frame tells a speech frame from a silent one")
    func frames() async throws {
        let speech = Fixture.speech()
        // The loudest 20 ms frame of the phrase is certainly voiced.
        let frames = stride(from: 0, to: speech.count - 960, by: 960).map { Array(speech[$0..<($0 + 960)]) }
        let loudest = frames.max { LevelStats.measure($0).rmsDbfs < LevelStats.measure($1).rmsDbfs }!
        let encoder = try OpusEncoder(settings: .voice)
        // An encoder needs a few frames to settle; send the frame after warming it on the same sound.
        _ = try encoder.encode(loudest)
        let speechPacket = try encoder.encode(loudest)
        let silentPacket = try OpusEncoder(settings: .voice).encode([Float](repeating: 0, count: 960))

        try await Fixture.app().application.test(.router) { client in
            for (packet, expected) in [(speechPacket, true), (silentPacket, false)] {
                try await client.execute(uri: "/process/frame", method: .post,
                                         headers: [.contentType: "application/octet-stream"],
                                         body: ByteBuffer(bytes: packet)) { response in
                    #expect(response.status == .ok)
                    let analysis = try JSONDecoder.fleet.decode(FrameAnalysis.self, from: Data(buffer: response.body))
                    #expect(analysis.isSpeech == expected)
                    #expect(expected ? analysis.rmsDbfs > -40 : analysis.rmsDbfs < -60)
                }
            }
            try await client.execute(uri: "/process/frame", method: .post, headers: [.contentType: "application/octet-stream"]) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/process/frame", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: "{}")) { response in
                #expect(response.status == .unsupportedMediaType)
            }
        }
    }

    @Test("malformed settings stop start-up naming the variable")
    func settings() throws {
        let settings = try ServiceSettings.forTesting(member: .audioProcessor, environment: ["AUDIO_PROCESSOR_TARGET_RMS_DBFS": "loud"])
        #expect(throws: SettingsError.self) { try AudioProcessorConfig(settings: settings) }
        do {
            _ = try AudioProcessorConfig(settings: settings)
        } catch let error as SettingsError {
            #expect(error.variable == "AUDIO_PROCESSOR_TARGET_RMS_DBFS")
        }
    }

    @Test("X-Concealed-Frame-Ratio lowers both quality scores; a bad value is a 400 naming the header")
    func concealedFramesLowerTheScore() async throws {
        let input = try Fixture.ogg(Fixture.padded(Fixture.speech(), before: 0.5, after: 0.5))
        try await Fixture.app().application.test(.router) { client in
            var scores: [(input: Double, processed: Double)] = []
            for ratio in ["0", "0.1"] {
                scores.append(try await client.execute(
                    uri: "/process/segment", method: .post,
                    headers: [.contentType: "audio/ogg", AudioQualityHeader.concealedFrameRatio: ratio],
                    body: ByteBuffer(bytes: input)
                ) { response in
                    #expect(response.status == .ok)
                    let header = { (name: HTTPField.Name) in response.headers[name].flatMap(Double.init) ?? -1 }
                    return (header(AudioQualityHeader.inputQualityScore), header(AudioQualityHeader.qualityScore))
                })
            }
            let clean = scores[0], lossy = scores[1]
            // Bpl / (Ppl + Bpl) at 10 %: 25.1 / 35.1.
            #expect(abs(lossy.input / clean.input - 25.1 / 35.1) < 0.001)
            #expect(abs(lossy.processed / clean.processed - 25.1 / 35.1) < 0.001)
            for bad in ["1.5", "-0.1", "lots", "nan"] {
                try await client.execute(uri: "/enhance/audio", method: .post,
                                         headers: [.contentType: "audio/ogg", AudioQualityHeader.concealedFrameRatio: bad],
                                         body: ByteBuffer(bytes: input)) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(Fixture.errorMessage(response).contains("X-Concealed-Frame-Ratio"))
                }
            }
        }
    }
}
