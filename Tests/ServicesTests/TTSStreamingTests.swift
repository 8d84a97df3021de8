import FleetAudio
import FleetContracts
import FleetSpeech
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
@testable import TTSBarkService

@Suite("tts-bark: streamed synthesis")
struct TTSStreamingTests {
    static let text = "Good afternoon, everyone, and welcome. The meeting starts in five minutes."

    @Test("a streamed answer is a valid Ogg Opus file with the same audio and comments as the whole one")
    func streamedEqualsWhole() async throws {
        try await testApplication(TTSBarkService.self).application.test(.router) { client in
            func synthesize(stream: Bool?) async throws -> TestResponse {
                let body = SynthesisRequest(text: Self.text, voice: "v2/en_speaker_2", stream: stream)
                return try await client.execute(uri: "/synthesize", method: .post, headers: [.contentType: "application/json"],
                                                body: ByteBuffer(bytes: try JSONEncoder.fleet.encode(body)))
            }
            let whole = try await synthesize(stream: nil)
            let streamed = try await synthesize(stream: true)
            #expect(streamed.status == .ok)
            #expect(streamed.headers[.contentType] == MediaType.oggOpus)
            #expect(streamed.headers[SynthesisHeader.audioSeconds] == whole.headers[SynthesisHeader.audioSeconds])
            #expect(streamed.headers[SynthesisHeader.voiceUsed] == "v2/en_speaker_2")

            let wholeAudio = try OggOpus.decode(Array(whole.body.readableBytesView))
            let streamedAudio = try OggOpus.decode(Array(streamed.body.readableBytesView))
            #expect(streamedAudio.samples == wholeAudio.samples)
            #expect(streamedAudio.comments == wholeAudio.comments)
        }
    }

    @Test("pages are released clause by clause: the first after the first clause's share, the last at the whole draw")
    func pagesFollowClauses() throws {
        let voice = try #require(Voice.named("v2/en_speaker_1"))
        let pcm = SpeechSynthesizer(voice: voice).synthesize(Self.text)
        let speech = try StreamedSpeech(pcm: pcm, text: Self.text, comments: [:], modelTime: 2.0, base: 0.4,
                                        perCharacter: 0.008)
        let times = speech.pages.map(\.releaseAt)
        #expect(speech.pages.count > 3)
        #expect(times == times.sorted())
        #expect(times.last == 2.0)
        // "Good afternoon," is 15 characters: (0.4 + 15 x 0.008) / (0.4 + 74 x 0.008) of the draw.
        let firstClause = 2.0 * (0.4 + 0.008 * 15) / (0.4 + 0.008 * Double(Self.text.count))
        #expect(abs(times[0] - firstClause) < 1e-9)
        #expect(StreamedSpeech.clauseEnds(Self.text).first == 15)

        let file = speech.pages.flatMap(\.bytes)
        #expect(try OggOpus.decode(file).samples.count == pcm.count)

        // LATENCY_SCALE=0: no simulated time, every page due at once (not a division by zero).
        let instant = try StreamedSpeech(pcm: pcm, text: Self.text, comments: [:], modelTime: 0, base: 0, perCharacter: 0)
        #expect(instant.pages.allSatisfy { $0.releaseAt == 0 })
    }

    @Test("a streamed request still gets the fleet's 400 for a bad text, before any audio")
    func badRequestStillJSON() async throws {
        try await testApplication(TTSBarkService.self).application.test(.router) { client in
            let response = try await client.execute(uri: "/synthesize", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(string: #"{"text":"?!","stream":true}"#))
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == MediaType.json)
        }
    }
}
