import FleetAudio
import FleetSpeech
import Foundation
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

/// Channels and speakers over the harness's pipeline, for tests of the voice channels themselves.
extension DiscordHarness {
    /// What speakers share, over this harness's pipeline, clock and turn log.
    func environment(config: DiscordConfig = DiscordConfig(), roster: ChannelRoster = ChannelRoster(),
                     scenarios: ScenarioBoard = ScenarioBoard(service: "discord"),
                     closing: ClosingSignal = ClosingSignal(), pipeline: TurnPipeline? = nil,
                     clock: (any PacingClock)? = nil) -> SpeakerEnvironment {
        SpeakerEnvironment(config: config, seed: 42, clock: clock ?? self.clock, pipeline: pipeline ?? self.pipeline,
                           roster: roster, turns: turns,
                           scenarios: scenarios, closing: closing, logger: Logger(label: "discord-test"))
    }

    /// Voice channel `index`, whose outgoing voice is also recorded by `listener`.
    func channel(_ index: Int = 0, bargeInPercent: Double = 0,
                 listener: (any PlaybackSink)? = nil) throws -> VoiceChannel {
        VoiceChannel(index: index, seed: 42, bargeInPercent: bargeInPercent, clock: clock,
                     output: ChannelVoiceOutput(listener: listener ?? sink))
    }

    /// A speaker seated in `channel` (and on `environment`'s roster).
    func speaker(_ identity: SpeakerIdentity = DiscordHarness.speaker, in channel: VoiceChannel,
                 environment: SpeakerEnvironment) async -> SimulatedSpeaker {
        let mailbox = Mailbox()
        channel.join(identity.name, mailbox: mailbox)
        await environment.roster.add(identity, guild: channel.guild, channel: channel.id)
        return SimulatedSpeaker(identity: identity, voice: Voice.named(identity.voice) ?? .default, mailbox: mailbox,
                                channel: channel, environment: environment)
    }

    static let secondSpeaker = SpeakerIdentity(name: "Ben", sessionId: "discord-ben-test", voice: "v2/en_speaker_4",
                                               replyVoice: "v2/en_speaker_9")
}

/// Waits until `condition` holds, checking every 20 ms, for at most `limit`; false if it never did.
/// The default is generous: it waits for progress, not for a deadline, and tests that synthesise
/// and encode speech can keep both of a small machine's cores busy for seconds.
func eventually(within limit: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// One sample's value from Prometheus text: `name` with exactly these labels (none when empty).
func sampleValue(_ text: String, _ name: String, _ labels: [String: String] = [:]) -> Double? {
    let selector = labels.isEmpty ? name
        : name + "{" + labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    for line in text.split(separator: "\n") where line.hasPrefix(selector + " ") {
        return Double(line.dropFirst(selector.count + 1))
    }
    return nil
}
