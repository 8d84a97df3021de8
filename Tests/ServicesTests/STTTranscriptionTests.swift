import FleetAudio
import FleetContracts
import FleetTestSupport
import ServiceKit
import Testing
@testable import STTService

@Suite("stt: transcription")
struct STTTranscriptionTests {
    @Test("a reference transcript in the Ogg comments is the transcript")
    func referenceTranscript() async throws {
        let outcome = try await STTFixture.pipeline(enhancer: FakeAudioProcessor(quality: 0.9))
            .transcribe(try STTFixture.upload(STTFixture.speech(), reference: STTFixture.phrase), options: .init())
        #expect(outcome.recognition.text == STTFixture.phrase)
        #expect(outcome.recognition.source == .reference)
        #expect(outcome.enhancement == .applied)
        // Confidence follows the enhanced audio's quality score: 0.80 + 0.18 x 0.9.
        #expect(outcome.recognition.confidence == 0.962)
    }

    @Test("without a reference the transcript comes from the audio, the same every time")
    func acousticIsDeterministic() async throws {
        let pipeline = STTFixture.pipeline(enhancer: nil)
        let upload = try STTFixture.upload(STTFixture.speech())
        let first = try await pipeline.transcribe(upload, options: .init()).recognition
        let second = try await pipeline.transcribe(try STTFixture.upload(STTFixture.speech()), options: .init()).recognition
        #expect(first.source == .acoustic)
        #expect(!first.text.isEmpty)
        #expect(first.text == second.text)
        #expect(first.words.count >= 3)
        #expect(first.confidence > 0 && first.confidence < 0.75)

        let other = try await pipeline.transcribe(
            try STTFixture.upload(STTFixture.speech("please remind me about the meeting tomorrow at nine", voice: Voice.all[3])),
            options: .init()).recognition
        #expect(other.text != first.text)
    }

    @Test("silence transcribes to nothing, with confidence 0")
    func silence() async throws {
        let outcome = try await STTFixture.pipeline(enhancer: nil)
            .transcribe(try STTFixture.upload([Float](repeating: 0, count: 96_000)), options: .init())
        #expect(outcome.recognition.text == "")
        #expect(outcome.recognition.source == .none)
        #expect(outcome.recognition.confidence == 0)
        #expect(outcome.recognition.segments(wordLevel: true).isEmpty)
    }

    @Test("an unreachable audio processor degrades the transcription, it does not fail it")
    func degraded() async throws {
        let outcome = try await STTFixture.pipeline(enhancer: STTFixture.downAudioProcessor)
            .transcribe(try STTFixture.upload(STTFixture.speech(), reference: STTFixture.phrase), options: .init())
        #expect(outcome.enhancement == .unavailable)
        #expect(outcome.recognition.text == STTFixture.phrase)
        #expect(outcome.recognition.confidence > 0.8)
    }

    @Test("an acoustic transcript does not depend on the audio processor being up; its confidence does")
    func acousticIndependentOfEnhancement() async throws {
        var noise = SeededGenerator(seed: 3)
        let noisy = STTFixture.speech().map { $0 + Float.random(in: -0.01...0.01, using: &noise) }
        let upload = try STTFixture.upload(noisy)
        let enhanced = try await STTFixture.pipeline(enhancer: InProcessAudioProcessor()).transcribe(upload, options: .init())
        let degraded = try await STTFixture.pipeline(enhancer: STTFixture.downAudioProcessor).transcribe(upload, options: .init())
        #expect(enhanced.enhancement == .applied && degraded.enhancement == .unavailable)
        #expect(enhanced.recognition.source == .acoustic)
        #expect(enhanced.recognition.text == degraded.recognition.text)
        // The gate and normaliser make the audio cleaner, and the model surer of it.
        #expect(enhanced.recognition.confidence > degraded.recognition.confidence)
    }

    @Test("model time grows with the audio: the latency model's quantiles per audio second")
    func latencyGrowsWithAudio() async throws {
        let model = STTConfig().latency
        #expect(abs(model.quantile(0.5) - 0.25) < 1e-9)
        #expect(abs(model.quantile(0.5, units: 10) - (0.25 + 1.2)) < 1e-9)
        #expect(model.quantile(0.99, units: 10) > model.quantile(0.5, units: 10) * 2.4)
        #expect(model.quantile(0.5, units: 30) > model.quantile(0.5, units: 3))

        // The pipeline charges the model for the whole clip, or only the speech with vad_filter.
        let pipeline = STTFixture.pipeline(enhancer: nil)
        let upload = try STTFixture.upload(STTFixture.speech() + [Float](repeating: 0, count: 3 * 48_000))
        let plain = try await pipeline.transcribe(upload, options: .init())
        var filtered = TranscriptionOptions()
        filtered.vadFilter = true
        let vad = try await pipeline.transcribe(upload, options: filtered)
        #expect(abs(plain.modelAudioSeconds - upload.audio.duration) < 1e-9)
        #expect(vad.modelAudioSeconds < plain.modelAudioSeconds - 3)
        #expect(TranscriptionPipeline.beamCost(5) == 1)
        #expect(TranscriptionPipeline.beamCost(10) > TranscriptionPipeline.beamCost(1))
    }

    @Test("word timestamps time each reference word inside the audio")
    func wordTimestamps() async throws {
        let upload = try STTFixture.upload(STTFixture.speech(), reference: STTFixture.phrase)
        let recognition = try await STTFixture.pipeline(enhancer: nil).transcribe(upload, options: .init()).recognition
        let words = recognition.segments(wordLevel: true)
        #expect(words.map(\.text) == STTFixture.phrase.split(separator: " ").map(String.init))
        #expect(words.first.map { $0.start >= 0.3 } == true)  // after the leading half second of silence
        #expect(words.last.map { $0.end <= upload.audio.duration } == true)
        #expect(zip(words, words.dropFirst()).allSatisfy { $0.end <= $1.start + 1e-9 })
        let phrases = recognition.segments(wordLevel: false)
        #expect(!phrases.isEmpty && phrases.count < words.count)
        #expect(phrases.map(\.text).joined(separator: " ") == STTFixture.phrase)
    }

    @Test("query options are validated")
    func options() throws {
        let query = { (values: [String: String]) in try TranscriptionOptions { values[$0] } }
        let parsed = try query(["language": "EN", "beam_size": "3", "task": "translate", "word_timestamps": "true",
                                "vad_filter": "1", "initial_prompt": "Atlas", "correlation_id": "abc-1"])
        #expect(parsed.language == "en" && parsed.beamSize == 3 && parsed.task == .translate)
        #expect(parsed.wordTimestamps && parsed.vadFilter && parsed.initialPrompt == "Atlas" && parsed.correlationID == "abc-1")
        for bad in [["beam_size": "0"], ["beam_size": "five"], ["task": "summarise"], ["word_timestamps": "maybe"],
                    ["language": "english"], ["correlation_id": "has space"]] {
            #expect(throws: FleetError.self, "\(bad)") { try query(bad) }
        }
    }
}
