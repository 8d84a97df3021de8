import FleetAudio
import FleetContracts
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Prometheus
import ServiceKit
import Testing

@testable import AudioProcessorService

/// Speech from the fleet's synthesiser with silence around it, the shape of a voice segment.
private enum Fixture {
    static let phrase = "hey atlas, what is the weather like today"
    static let rate = Double(AudioFormat.sampleRate)

    static func speech(_ text: String = phrase, gain: Float = 1) -> [Float] {
        SpeechSynthesizer(voice: .default).synthesize(text).map { $0 * gain }
    }

    static func silence(_ seconds: Double) -> [Float] {
        [Float](repeating: 0, count: Int(seconds * rate))
    }

    static func padded(_ speech: [Float], before: Double = 1, after: Double = 1) -> [Float] {
        silence(before) + speech + silence(after)
    }

    static func decoded(_ samples: [Float], comments: [String: String] = [:]) -> DecodedAudio {
        DecodedAudio(samples: samples, comments: comments, duration: Double(samples.count) / rate, packetCount: 0)
    }

    static func ogg(_ samples: [Float], comments: [String: String] = [OpusComment.referenceTranscript: phrase]) throws -> [UInt8] {
        try OggOpus.encode(samples, comments: comments)
    }

    /// Seeded white noise at `dBFS` RMS.
    static func noise(count: Int, dBFS: Double, seed: UInt64 = 7) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let amplitude = Float(pow(10, dBFS / 20) * 3.0.squareRoot())  // uniform -a...a has RMS a/sqrt(3)
        return (0..<count).map { _ in Float.random(in: -amplitude...amplitude, using: &generator) }
    }

    static func sine(_ hz: Double, seconds: Double, amplitude: Float) -> [Float] {
        (0..<Int(seconds * rate)).map { amplitude * Float(sin(2 * .pi * hz * Double($0) / rate)) }
    }

    static func app(_ environment: [String: String] = [:]) async throws -> FleetApplication.Built {
        let settings = try ServiceSettings.forTesting(member: .audioProcessor, environment: ["LATENCY_SCALE": "0.01"].merging(environment) { $1 })
        let runtime = ServiceRuntime(member: .audioProcessor, settings: settings)
        return try await FleetApplication.build(AudioProcessorService.self, runtime: runtime, registry: PrometheusCollectorRegistry())
    }

    static func errorCode(_ response: TestResponse) -> String? {
        struct Body: Decodable { struct Detail: Decodable { let code: String; let message: String }; let error: Detail }
        return try? JSONDecoder().decode(Body.self, from: Data(buffer: response.body)).error.code
    }

    static func errorMessage(_ response: TestResponse) -> String {
        String(buffer: response.body)
    }
}

@Suite("audio-processor")
struct AudioProcessorTests {
    let pipeline = AudioPipeline(config: AudioProcessorConfig())

    // MARK: Domain

    @Test("segment processing trims the silence around speech to ~100 ms margins")
    func trimsSilence() {
        let speech = Fixture.speech()
        let input = Fixture.decoded(Fixture.padded(speech, before: 1.0, after: 1.5))
        let result = pipeline.processSegment(input)
        let speechSeconds = Double(speech.count) / Fixture.rate
        #expect(input.duration > speechSeconds + 2.4)
        // The synthesiser's own leading/trailing quiet is trimmed too, so allow a little under.
        #expect(result.metrics.durationSeconds < speechSeconds + 0.3)
        #expect(result.metrics.durationSeconds > speechSeconds - 0.3)
        #expect(result.trimmedSeconds > 2.2)
        #expect(result.metrics.speechSeconds > 0.5 * speechSeconds)
    }

    @Test("segment processing normalises quiet speech to about -20 dBFS RMS under a -1 dBFS peak")
    func normalisesLevel() {
        let quiet = Fixture.decoded(Fixture.padded(Fixture.speech(gain: 0.05)))
        let before = LevelStats.measure(quiet.samples)
        let result = pipeline.processSegment(quiet)
        #expect(before.rmsDBFS < -35)
        // Either the RMS reaches the target or the peak ceiling stopped it short.
        let reachedTarget = abs(result.metrics.rmsDBFS - -20) < 0.5
        let limitedByPeak = abs(result.metrics.peakDBFS - -1) < 0.05 && result.metrics.rmsDBFS < -20
        #expect(reachedTarget || limitedByPeak)
        #expect(result.metrics.peakDBFS <= -0.99)
        #expect(result.metrics.rmsDBFS > before.rmsDBFS + 10)
    }

    @Test("segment processing keeps a speechless clip as it came")
    func keepsSilence() {
        let noise = Fixture.decoded(Fixture.noise(count: 48_000, dBFS: -70), comments: ["TITLE": "room tone"])
        let result = pipeline.processSegment(noise)
        #expect(result.samples == noise.samples)
        #expect(result.metrics.speechSeconds == 0)
        #expect(result.comments["TITLE"] == "room tone")
    }

    @Test("the high-pass removes rumble and keeps the voice band")
    func highPass() {
        let rumble = Fixture.sine(30, seconds: 1, amplitude: 0.5)
        let voice = Fixture.sine(1_000, seconds: 1, amplitude: 0.5)
        let steady = { (samples: [Float]) in LevelStats.measure(Array(samples.suffix(24_000))).rmsDBFS }
        let rumbleDrop = steady(rumble) - steady(Filters.highPass(rumble, cutoffHz: 80, sampleRate: 48_000))
        let voiceDrop = steady(voice) - steady(Filters.highPass(voice, cutoffHz: 80, sampleRate: 48_000))
        #expect(rumbleDrop > 15)
        #expect(abs(voiceDrop) < 0.2)
    }

    @Test("spectral subtraction lowers the noise between words and raises the quality score")
    func denoise() {
        let clean = Fixture.padded(Fixture.speech(), before: 0.8, after: 0.8)
        let noisy = zip(clean, Fixture.noise(count: clean.count, dBFS: -45)).map { $0 + $1 }
        let result = pipeline.denoise(Fixture.decoded(noisy))
        let pauseBefore = LevelStats.measure(Array(noisy[4_800..<28_800])).rmsDBFS
        let pauseAfter = LevelStats.measure(Array(result.samples[4_800..<28_800])).rmsDBFS
        #expect(pauseAfter < pauseBefore - 10)
        #expect(QualityScore.analyze(samples: result.samples).estimatedSNR
                > QualityScore.analyze(samples: noisy).estimatedSNR + 6)
        #expect(result.metrics.qualityScore > result.metrics.inputQualityScore)
    }

    @Test("with no noise estimate, spectral subtraction gives back its input")
    func subtractionIsTransparentOnSilence() {
        let clean = Fixture.padded(Fixture.speech(), before: 0.5, after: 0.5)
        // Digital silence between words measures zero noise: nothing is subtracted.
        let speechOnly = [0.5...(Double(clean.count) / Fixture.rate - 0.5)]
        let output = Filters.spectralSubtraction(clean, speech: speechOnly, sampleRate: 48_000)
        let error = zip(clean, output).map { abs($0 - $1) }.max() ?? 1
        #expect(output.count == clean.count)
        #expect(error < 1e-4)
    }

    @Test("enhancement keeps the length, normalises, and turns the pauses down")
    func enhance() {
        let noisy = zip(Fixture.padded(Fixture.speech(gain: 0.2)), Fixture.noise(count: Fixture.padded(Fixture.speech()).count, dBFS: -60))
            .map { $0 + $1 }
        let result = pipeline.enhance(Fixture.decoded(noisy, comments: [OpusComment.referenceTranscript: "x"]))
        #expect(result.samples.count == noisy.count)
        #expect(abs(result.metrics.rmsDBFS - -20) < 1 || result.metrics.peakDBFS > -1.05)
        #expect(result.comments[OpusComment.referenceTranscript] == "x")
        // The first 0.8 s are a pause: gated by 12 dB relative to what normalisation alone would give.
        let gain = result.metrics.rmsDBFS - LevelStats.measure(noisy).rmsDBFS
        let pauseIn = LevelStats.measure(Array(noisy[0..<38_400])).rmsDBFS
        let pauseOut = LevelStats.measure(Array(result.samples[0..<38_400])).rmsDBFS
        #expect(pauseOut < pauseIn + gain - 9)
    }

    // MARK: HTTP

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
                let header = { (name: String) in response.headers[HTTPField.Name(name)!].flatMap(Double.init) }
                #expect(header(AudioQualityHeader.durationSeconds).map { abs($0 - output.duration) < 0.01 } == true)
                #expect(header(AudioQualityHeader.qualityScore).map { (0...1).contains($0) } == true)
                #expect(header(AudioQualityHeader.rmsDBFS).map { abs($0 - -20) < 1.5 } == true)
                #expect(header(AudioQualityHeader.speechSeconds) != nil)
                #expect(header(AudioQualityHeader.processingTimeMs) != nil)
                // Measured after a second Opus round trip: still about -20 dBFS.
                #expect(abs(LevelStats.measure(output.samples).rmsDBFS - -20) < 1.5)
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
        let loudest = frames.max { LevelStats.measure($0).rmsDBFS < LevelStats.measure($1).rmsDBFS }!
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
                    let analysis = try JSONDecoder().decode(FrameAnalysis.self, from: Data(buffer: response.body))
                    #expect(analysis.isSpeech == expected)
                    #expect(expected ? analysis.rmsDBFS > -40 : analysis.rmsDBFS < -60)
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
}
