import AsyncHTTPClient
import FleetAudio
import FleetSpeech
import FleetContracts
import FleetTelemetry
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
@testable import TTSBarkService

@Suite("TTS (Bark stand-in, flite speaks)")
struct TTSBarkTests {
    let engine = SpeechEngine(defaultVoice: "v2/en_speaker_1")

    // MARK: Requests

    @Test func defaultsFillInVoiceAndSpeed() throws {
        let resolved = try engine.resolve(text: "  Hello there.  ", voice: nil, speed: nil)
        #expect(resolved.text == "Hello there.")
        #expect(resolved.voice.id == "v2/en_speaker_1")
        #expect(resolved.speed == 1)
    }

    @Test func badRequestsSayWhatToFix() {
        let unknown = #expect(throws: FleetError.self) { try engine.resolve(text: "hi", voice: "v2/en_speaker_99", speed: nil) }
        #expect(unknown?.status == .badRequest)
        #expect(unknown?.message.contains("v2/en_speaker_0") == true)  // lists the valid ones

        let slow = #expect(throws: FleetError.self) { try engine.resolve(text: "hi", voice: nil, speed: 0.2) }
        #expect(slow?.message.contains("'speed'") == true)
        #expect((try? engine.resolve(text: "hi", voice: nil, speed: 2)) != nil)

        let empty = #expect(throws: FleetError.self) { try engine.resolve(text: " \n", voice: nil, speed: nil) }
        #expect(empty?.status == .badRequest)

        let nothingToSay = #expect(throws: FleetError.self) { try engine.resolve(text: "?!...", voice: nil, speed: nil) }
        #expect(nothingToSay?.status == .badRequest)

        let long = #expect(throws: FleetError.self) {
            try engine.resolve(text: String(repeating: "a", count: 2001), voice: nil, speed: nil)
        }
        #expect(long?.status == .contentTooLarge)
    }

    @Test func renderedSpeechIsOggOpusWithItsComments() throws {
        let voice = try #require(Voice.named("v2/en_speaker_3"))
        let speech = try engine.render("Good morning, everyone.", voice: voice, speed: 1)
        let decoded = try OggOpus.decode(speech.audio)
        #expect(decoded.comments[OpusComment.title] == "Good morning, everyone.")
        #expect(decoded.comments[OpusComment.voice] == "v2/en_speaker_3")
        #expect(decoded.comments[OpusComment.referenceTranscript] == "Good morning, everyone.")
        #expect(abs(decoded.duration - speech.audioSeconds) < 0.001)
        #expect(speech.audioSeconds > 0.5)
        // Normalised to the loudness target, not a peak: what a listener hears as equally loud.
        let loudness = try #require(Loudness.integrated(decoded.samples, sampleRate: AudioFormat.sampleRate))
        #expect(abs(loudness - SpeechSynthesizer.targetLoudness) < 1, "\(loudness) LUFS after Opus")
    }

    @Test func fasterSpeechIsShorter() throws {
        let voice = try #require(Voice.named("v2/en_speaker_1"))
        let normal = try engine.render("The quick brown fox jumps over the lazy dog.", voice: voice, speed: 1)
        let fast = try engine.render("The quick brown fox jumps over the lazy dog.", voice: voice, speed: 2)
        #expect(fast.audioSeconds < normal.audioSeconds * 0.7)
    }

    // MARK: HTTP

    func withApp(_ setup: TestingSetup = .router, _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await testApplication(TTSBarkService.self).application.test(setup, test)
    }

    func synthesize(_ client: any TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/synthesize", method: .post, headers: [.contentType: "application/json"],
                                 body: ByteBuffer(string: body))
    }

    @Test func synthesizeAnswersOggOpusWithHeaders() async throws {
        try await withApp { client in
            let response = try await synthesize(client, #"{"text":"Hello from Atlas.","voice":"v2/en_speaker_4"}"#)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "audio/ogg; codecs=opus")
            #expect(response.headers[SynthesisHeader.engine] == "flite")
            #expect(response.headers[SynthesisHeader.voiceUsed] == "v2/en_speaker_4")
            #expect(response.headers[.processingTimeMs].flatMap(Double.init) != nil)

            let audio = try OggOpus.decode(Array(response.body.readableBytesView))
            #expect(audio.comments[OpusComment.title] == "Hello from Atlas.")
            #expect(audio.comments[OpusComment.voice] == "v2/en_speaker_4")
            let advertised = try #require(response.headers[SynthesisHeader.audioSeconds].flatMap(Double.init))
            #expect(abs(advertised - audio.duration) < 0.002)
        }
    }

    @Test func durationGrowsWithText() async throws {
        try await withApp { client in
            let short = try await synthesize(client, #"{"text":"Yes."}"#)
            let long = try await synthesize(client, #"{"text":"It is a quarter past two in the afternoon, and the sky over the harbour is clear."}"#)
            let shortAudio = try OggOpus.decode(Array(short.body.readableBytesView))
            let longAudio = try OggOpus.decode(Array(long.body.readableBytesView))
            #expect(longAudio.duration > shortAudio.duration * 3)
            #expect(shortAudio.comments[OpusComment.voice] == "v2/en_speaker_1")  // the default
        }
    }

    @Test func badRequestsOverHTTP() async throws {
        try await withApp { client in
            let unknown = try await synthesize(client, #"{"text":"hi","voice":"bark/nonexistent"}"#)
            #expect(unknown.status == .badRequest)
            let error = try JSONSerialization.jsonObject(with: Data(unknown.body.readableBytesView)) as? [String: [String: String]]
            #expect(error?["error"]?["message"]?.contains("v2/en_speaker_9") == true)

            #expect(try await synthesize(client, #"{"text":""}"#).status == .badRequest)
            #expect(try await synthesize(client, #"{"text":"hi","speed":5}"#).status == .badRequest)
            #expect(try await synthesize(client, #"{"voice":"v2/en_speaker_1"}"#).status == .badRequest)
            #expect(try await synthesize(client, "not json").status == .badRequest)
            let long = #"{"text":""# + String(repeating: "word ", count: 500) + #""}"#
            #expect(try await synthesize(client, long).status == .contentTooLarge)
        }
    }

    @Test func voicesAreListed() async throws {
        try await withApp { client in
            let response = try await client.execute(uri: "/voices", method: .get)
            #expect(response.status == .ok)
            let list = try JSONDecoder.fleet.decode(VoiceList.self, from: Data(response.body.readableBytesView))
            #expect(list.voices.count >= 6)
            #expect(list.default == "v2/en_speaker_1")
            #expect(list.voices.contains { $0.id == list.default })
            #expect(list.voices.allSatisfy { !$0.description.isEmpty })
            // Each preset says which flite voice speaks it, so a person can tell them apart.
            #expect(Set(list.voices.map(\.description)).count == list.voices.count)
            #expect(list.voices.first { $0.id == "v2/en_speaker_3" }?.description.contains("flite slt") == true)
            #expect(String(buffer: response.body).contains("\"default\":\"v2/en_speaker_1\""))
        }
    }

    @Test func readinessIsReadyOnceWarmedUp() async throws {
        try await withApp { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .ok)
            let report = try JSONDecoder.fleet.decode(HealthMonitor.Report.self, from: Data(response.body.readableBytesView))
            #expect(report.status == "ready")
            #expect(report.components["synthesizer"] == true)
        }
    }

    @Test func aBadDefaultVoiceStopsStartUp() {
        let settings = try? ServiceSettings.forTesting(member: .tts, environment: ["TTS_DEFAULT_VOICE": "v3/robot"])
        let error = #expect(throws: SettingsError.self) { try TTSBarkConfig(settings: settings!) }
        #expect(error?.variable == "TTS_DEFAULT_VOICE")
    }

    /// The orchestrator's client against a live server.
    @Test func theClientGetsAudioAndDetails() async throws {
        try await withApp(.live) { client in
            let port = try #require(client.port)
            let downstream = DownstreamClient(peer: "tts-bark", url: "http://localhost:\(port)", http: .shared)
            let synthesis = try await SpeechSynthesisClient(downstream).synthesize("See you soon.", voice: "v2/en_speaker_6")
            #expect(synthesis.engine == "flite")
            #expect(synthesis.voice == "v2/en_speaker_6")
            #expect(synthesis.timeToFirstByte > 0)
            let audio = try OggOpus.decode(synthesis.audio)
            #expect(abs(audio.duration - synthesis.audioSeconds) < 0.002)

            await #expect(throws: FleetError.self) {
                try await SpeechSynthesisClient(downstream).synthesize("hi", voice: "nobody")
            }
        }
    }
}
