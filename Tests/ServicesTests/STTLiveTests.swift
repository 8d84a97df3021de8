import AsyncHTTPClient
import FleetAudio
import FleetContracts
import FleetTelemetry
import ServiceKit
import Testing
@testable import AudioProcessorService
@testable import STTService

/// stt and the audio processor as processes would run them: each on a socket, each reached through
/// its FleetContracts client.
@Suite("stt: live with the audio processor")
struct STTLiveTests {
    @Test("with a live audio processor the audio is enhanced, and both clients speak the wire format")
    func liveEnhancementAndClients() async throws {
        let speech = STTFixture.speech()
        let audio = try STTFixture.ogg(speech, reference: STTFixture.phrase)
        try await STTFixture.live(AudioProcessorService.self, member: .audioProcessor) { processorPort in
            let processorURL = "http://127.0.0.1:\(processorPort)"
            // AudioProcessingClient against the real service: measurements parsed from the headers.
            let processor = AudioProcessingClient(DownstreamClient(peer: "audio-processor", url: processorURL, http: .fleet))
            let segment = try await processor.processSegment(audio)
            #expect(try OggOpus.decode(segment.audio).comments[OpusComment.referenceTranscript] == STTFixture.phrase)
            #expect(segment.metrics.durationSeconds < Double(speech.count) / STTFixture.rate - 0.5)
            #expect(abs(segment.metrics.rmsDbfs - -20) < 1)
            let enhanced = try await processor.enhance(audio)
            #expect(abs(enhanced.metrics.durationSeconds - Double(speech.count) / STTFixture.rate) < 0.01)

            // stt using that processor, reached through TranscriberClient.
            try await STTFixture.live(STTService.self, member: .stt, environment: ["AUDIO_PROCESSOR_URL": processorURL]) { sttPort in
                let stt = TranscriberClient(DownstreamClient(peer: "stt", url: "http://127.0.0.1:\(sttPort)", http: .fleet))
                let result = try await stt.transcribe(audio, contentType: "audio/ogg", correlationID: "turn-9&x=1")
                // The enhanced audio is what pocketsphinx heard; the comment is not read.
                #expect(STTFixture.words(result.text) == STTFixture.words(STTFixture.phrase))
                #expect(result.source == "pocketsphinx")
                #expect(result.correlationId == "turn-9&x=1")
                #expect(result.confidence > 0.5)
                do {
                    _ = try await stt.transcribe(Array("not audio".utf8), contentType: "text/plain", correlationID: nil)
                    Issue.record("a text body was transcribed")
                } catch let error as FleetError {
                    #expect(error.code == .badResponse)
                    #expect(error.message.contains("415") && error.message.contains("unsupported_media_type"))
                }
            }
        }
    }
}
