import FleetAudio
import FleetContracts
import FleetTelemetry
import FleetTestSupport
import Logging
import Prometheus
import ServiceKit
import Testing
@testable import AudioProcessorService
@testable import DiscordService

/// The room scenarios change what the speakers' microphones pick up, frame by frame.
@Suite("Discord room scenarios")
struct DiscordRoomScenarioTests {
    static let phrases = [
        "Hey Atlas, what time is it?", "Ok Atlas, tell me a joke.",
        "Hey Atlas, what should I cook for dinner tonight?", "Atlas, can you recommend a good book?",
    ]

    /// The outcomes of `phrases`, each said once by Ava (on the virtual clock) with `scenario` at
    /// `severity`, turn by turn; segments go to `processor` when given, else to the harness's fake.
    private static func speak(_ phrases: [String], scenario: Scenario, severity: Double,
                              processor: (any AudioProcessing)? = nil) async throws -> [TurnOutcome] {
        let harness = DiscordHarness()
        let scenarios = ScenarioBoard(service: "discord")
        scenarios.set(scenario, to: severity > 0 ? .number(severity) : nil)
        let pipeline = processor.map { processor in
            TurnPipeline(audioProcessor: processor, transcriber: harness.transcriber, orchestrator: harness.orchestrator,
                         matcher: WakePhraseMatcher(), clock: harness.clock, turns: harness.turns, channel: harness.channel,
                         logger: Logger(label: "discord-test"))
        }
        let environment = harness.environment(scenarios: scenarios, pipeline: pipeline)
        let speaker = await harness.speaker(in: try harness.channel(), environment: environment)
        let link = try VoiceLink(segmenter: speaker.makeSegmenter())
        var noise = SeededGenerator(seed: 9, stream: "test/room")
        var outcomes: [TurnOutcome] = []
        for (index, phrase) in phrases.enumerated() {
            outcomes += try await speaker.speak(Utterance(text: phrase, turnID: 100 + index), over: link, noise: &noise)
        }
        return outcomes
    }

    @Test("quiet microphones at 30 dB: the VAD and the wake phrase miss the speech, and the outcomes say so")
    func quietMicrophones() async throws {
        try await TestMetrics.collecting { registry in
            let normal = try await Self.speak(Self.phrases, scenario: .quietMicrophones, severity: 0)
            #expect(normal == Array(repeating: .replied, count: Self.phrases.count))
            let quiet = try await Self.speak(Self.phrases, scenario: .quietMicrophones, severity: 30)
            #expect(!quiet.isEmpty)
            #expect(quiet.allSatisfy { $0 == .empty || $0 == .noWakePhrase }, "\(quiet)")
            let text = registry.emitToString()
            let missed = (sampleValue(text, "voice_turns_total", ["outcome": "empty"]) ?? 0)
                + (sampleValue(text, "voice_turns_total", ["outcome": "no_wake_phrase"]) ?? 0)
            #expect(missed == Double(quiet.count))
            #expect(sampleValue(text, "voice_turns_total", ["outcome": "replied"]) == Double(Self.phrases.count))
        }
    }

    @Test("a noisy room: the input quality the audio processor records falls, and its processing does not lower it")
    func noisyRoom() async throws {
        let calm = try await Self.recordedQuality(noisyRoomDB: 0)
        let noisy = try await Self.recordedQuality(noisyRoomDB: 20)
        print("audio_quality_score means: calm input \(calm.input), processed \(calm.processed); "
              + "noisy room (+20 dB) input \(noisy.input), processed \(noisy.processed)")
        #expect(noisy.input < calm.input - 0.1, "input quality \(calm.input) in a calm room, \(noisy.input) in a noisy one")
        // The bridge's segments go to /process/segment, which trims the silence around the speech
        // and normalises the level: neither changes the noise under the words, so the score may
        // move a little either way, never fall. (Turning the pauses down is /enhance/audio's work,
        // for stt: AudioProcessorDSPTests.enhance.) The segment's wideband Opus already leaves the
        // noise above 8 kHz out, which is why +20 dB of room costs 0.27 of the score and not more.
        for (room, quality) in [("calm", calm), ("noisy", noisy)] {
            #expect(quality.processed > quality.input - 0.01, "\(room) room: \(quality.input) in, \(quality.processed) processed")
        }
    }

    /// The phrases said through a live audio processor with the room `noisyRoomDB` louder; the
    /// mean `audio_quality_score` it recorded for its input and for what it made of it.
    private static func recordedQuality(noisyRoomDB: Double) async throws -> (input: Double, processed: Double) {
        try await TestMetrics.collecting { registry in
            try await STTFixture.live(AudioProcessorService.self, member: .audioProcessor) { port in
                let processor = AudioProcessingClient(DownstreamClient(
                    peer: "audio-processor", url: "http://127.0.0.1:\(port)", http: .fleet))
                _ = try await speak(phrases, scenario: .noisyRoom, severity: noisyRoomDB, processor: processor)
            }
            let text = registry.emitToString()
            func mean(_ stage: String) throws -> Double {
                let sum = try #require(sampleValue(text, "audio_quality_score_sum", ["stage": stage]))
                let count = try #require(sampleValue(text, "audio_quality_score_count", ["stage": stage]))
                #expect(count > 0)
                return sum / count
            }
            return (try mean("input"), try mean("processed"))
        }
    }

    @Test("a segment the VAD cut short carries only the words in it as its reference")
    func spokenWords() {
        let spoken = SpokenText(text: "Hey Atlas, what time is it?", speech: 1.0...3.0)
        #expect(spoken.words(from: 0.7, to: 3.8) == "Hey Atlas, what time is it?")
        #expect(spoken.words(from: 2.0, to: 3.8) == "what time is it?")
        #expect(spoken.words(from: 5, to: 6) == "")
    }
}
