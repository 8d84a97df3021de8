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

/// The audio processor's own DSP, in memory: what the real service measures of each segment.
actor DSPAudioProcessor: AudioProcessing, InMemoryPeer {
    nonisolated let name = "audio-processor"
    private(set) var inputQualities: [Double] = []
    private let pipeline = AudioPipeline(config: AudioProcessorConfig())

    func processSegment(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        try await processSegment(oggOpus, concealedFrameRatio: 0)
    }

    func processSegment(_ oggOpus: [UInt8], concealedFrameRatio: Double) async throws -> ProcessedAudio {
        let result = pipeline.processSegment(try OggOpus.decode(oggOpus), concealedFrameRatio: concealedFrameRatio)
        inputQualities.append(result.metrics.inputQualityScore)
        return ProcessedAudio(audio: try OggOpus.encode(result.samples, comments: result.comments), metrics: result.metrics)
    }

    func enhance(_ oggOpus: [UInt8]) async throws -> ProcessedAudio {
        try await processSegment(oggOpus)
    }
}

/// The room scenarios change what the speakers' microphones pick up, frame by frame.
@Suite("Discord room scenarios")
struct DiscordRoomScenarioTests {
    static let phrases = [
        "Hey Atlas, what time is it?", "Ok Atlas, tell me a joke.",
        "Hey Atlas, what should I cook for dinner tonight?", "Atlas, can you recommend a good book?",
    ]

    /// The outcomes of `phrases`, each said once by Ava (on the virtual clock) with `scenario` at
    /// `severity`, turn by turn; and the input quality the audio processor measured, if it is the DSP.
    private static func speak(_ phrases: [String], scenario: Scenario, severity: Double,
                              processor: DSPAudioProcessor? = nil) async throws -> [TurnOutcome] {
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

    @Test("a noisy room: the audio processor's input quality score falls")
    func noisyRoom() async throws {
        let calm = DSPAudioProcessor(), noisy = DSPAudioProcessor()
        _ = try await Self.speak(Self.phrases, scenario: .noisyRoom, severity: 0, processor: calm)
        _ = try await Self.speak(Self.phrases, scenario: .noisyRoom, severity: 20, processor: noisy)
        let calmScores = await calm.inputQualities, noisyScores = await noisy.inputQualities
        #expect(!calmScores.isEmpty && !noisyScores.isEmpty, "no segment reached the audio processor")
        let calmMean = calmScores.reduce(0, +) / Double(max(1, calmScores.count))
        let noisyMean = noisyScores.reduce(0, +) / Double(max(1, noisyScores.count))
        #expect(noisyMean < calmMean - 0.1, "input quality \(calmMean) in a calm room, \(noisyMean) in a noisy one")
    }

    @Test("a segment the VAD cut short carries only the words in it as its reference")
    func spokenWords() {
        let spoken = SpokenText(text: "Hey Atlas, what time is it?", speech: 1.0...3.0)
        #expect(spoken.words(from: 0.7, to: 3.8) == "Hey Atlas, what time is it?")
        #expect(spoken.words(from: 2.0, to: 3.8) == "what time is it?")
        #expect(spoken.words(from: 5, to: 6) == "")
    }
}
