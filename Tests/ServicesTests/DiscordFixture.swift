import FleetAudio
import FleetContracts
import FleetTestSupport
import Logging
import ServiceKit
@testable import DiscordService

/// The channel's voice, recorded.
actor RecordingSink: PlaybackSink {
    private(set) var frames: [[Float]] = []
    /// Virtual time each frame "takes" to send; more than 20 ms starves the listener.
    let clock: VirtualClock?
    let stall: Duration

    init(clock: VirtualClock? = nil, stall: Duration = .zero) {
        self.clock = clock
        self.stall = stall
    }

    func send(_ frame: [Float]) async throws {
        frames.append(frame)
        clock?.advance(by: stall)
    }
}

/// A turn pipeline over in-memory peers, a virtual clock and a recording sink.
struct DiscordHarness {
    let audioProcessor = FakeAudioProcessor()
    let transcriber = FakeTranscriber()
    let orchestrator: FakeOrchestrator
    let sink = RecordingSink()
    let clock = VirtualClock()
    let turns = TurnLog(capacity: 10)
    let channel = ChannelLog()

    init(orchestrator: FakeOrchestrator = FakeOrchestrator()) {
        self.orchestrator = orchestrator
    }

    var pipeline: TurnPipeline {
        TurnPipeline(audioProcessor: audioProcessor, transcriber: transcriber, orchestrator: orchestrator,
                     matcher: WakePhraseMatcher(), clock: clock, sink: sink, turns: turns, channel: channel,
                     logger: Logger(label: "discord-test"))
    }

    static let speaker = SpeakerIdentity(name: "Ava", sessionId: "discord-ava-test", voice: "v2/en_speaker_3",
                                         replyVoice: "v2/en_speaker_8")

    /// A segment of real synthesized speech, as the segmenter would hand it over.
    static func segment(_ phrase: String) -> VoiceSegment {
        let samples = SpeechSynthesizer(voice: Voice.named("v2/en_speaker_3")!).synthesize(phrase)
        return VoiceSegment(samples: samples, phrase: phrase, lastVoicedAt: .zero, endOfUtteranceDelay: 0.75)
    }
}
