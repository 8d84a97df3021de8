import FleetAudio
import FleetContracts
import FleetTelemetry
import FleetTestSupport
import Logging
import ServiceKit
import Testing
@testable import DiscordService

/// The channel's voice in a streamed-reply test: notes its first frame on the recorder the
/// orchestrator fake also writes to, then lets the fake send its last sentence; and, as the
/// reply's audience, talks over it after `bargeInAfter` frames when set.
actor StreamListener: PlaybackSink, ReplyAudience {
    let recorder: PeerCallRecorder
    let gate: StreamGate
    let bargeInAfter: Int?
    private(set) var frames = 0
    private var interrupt: PlaybackInterrupt?

    init(recorder: PeerCallRecorder, gate: StreamGate, bargeInAfter: Int? = nil) {
        self.recorder = recorder
        self.gate = gate
        self.bargeInAfter = bargeInAfter
    }

    func replyStarted(to speaker: String, seconds: Double, interrupt: PlaybackInterrupt) {
        self.interrupt = interrupt
    }

    func send(_ frame: [Float]) async {
        frames += 1
        if frames == 1 {
            await recorder.record("bridge.first_frame")
            if bargeInAfter == nil { await gate.open() }
        }
        if frames == bargeInAfter { interrupt?.raise() }
    }
}

@Suite("Discord streamed replies")
struct DiscordStreamingTests {
    static let reply = "The first sentence plays at once. A second one follows. And the last one comes late."

    func pipeline(_ harness: DiscordHarness, listener: StreamListener, streaming: Bool = true) -> TurnPipeline {
        TurnPipeline(audioProcessor: harness.audioProcessor, transcriber: harness.transcriber,
                     orchestrator: harness.orchestrator, matcher: WakePhraseMatcher(), clock: harness.clock,
                     sink: listener, audience: listener, turns: harness.turns, channel: harness.channel,
                     logger: Logger(label: "discord-test"), replyStreaming: streaming)
    }

    @Test("the first sentence's first frame goes out before the last sentence has arrived; the stored reply is whole")
    func playsBeforeTheLastSentence() async throws {
        let recorder = PeerCallRecorder(), gate = StreamGate()
        let harness = DiscordHarness(orchestrator: FakeOrchestrator(reply: .text(Self.reply), recorder: recorder,
                                                                    streamGate: gate))
        let listener = StreamListener(recorder: recorder, gate: gate)
        let record = await pipeline(harness, listener: listener).run(
            DiscordHarness.segment("Hey Atlas, tell me three things."), speaker: DiscordHarness.speaker, turnNumber: 1)

        #expect(record.outcome == .replied, "\(record.error ?? "")")
        let calls = await recorder.calls
        let firstFrame = try #require(calls.firstIndex(of: "bridge.first_frame"))
        let lastSentence = try #require(calls.firstIndex(of: "orchestrator.sentence.2"))
        #expect(firstFrame < lastSentence, "\(calls)")
        #expect(record.replyText == Self.reply)

        // The reply kept for /voice/turns/{id}/reply.opus: one valid file holding every sentence.
        let stored = try OggOpus.decode(try #require(record.replyAudio))
        let played = try #require(record.latencies.playback)
        #expect(abs(stored.duration - played) < 0.1)
        let received = try #require(record.replySeconds)
        #expect(stored.duration >= received - 0.001)
        #expect(await listener.frames == Int((played / 0.02).rounded()))
    }

    @Test("a barge-in cuts the playback and cancels the rest of the stream")
    func bargeInCancelsTheStream() async throws {
        let recorder = PeerCallRecorder(), gate = StreamGate()
        let harness = DiscordHarness(orchestrator: FakeOrchestrator(reply: .text(Self.reply), recorder: recorder,
                                                                    streamGate: gate))
        let listener = StreamListener(recorder: recorder, gate: gate, bargeInAfter: 5)
        let record = await pipeline(harness, listener: listener).run(
            DiscordHarness.segment("Hey Atlas, tell me three things."), speaker: DiscordHarness.speaker, turnNumber: 1)

        #expect(record.outcome == .interrupted)
        #expect(record.error == nil)
        #expect(await listener.frames == 5)
        let calls = await recorder.calls
        #expect(calls.contains("orchestrator.cancelled"), "\(calls)")
        #expect(!calls.contains("orchestrator.sentence.2"))
        #expect(record.replyAudio.map { (try? OggOpus.decode($0)) != nil } == true)
    }

    @Test("REPLY_STREAMING=false waits for the whole reply, as before")
    func wholeReplyPath() async throws {
        let recorder = PeerCallRecorder()
        let harness = DiscordHarness(orchestrator: FakeOrchestrator(reply: .text(Self.reply), recorder: recorder))
        let listener = StreamListener(recorder: recorder, gate: StreamGate())
        let record = await pipeline(harness, listener: listener, streaming: false).run(
            DiscordHarness.segment("Hey Atlas, tell me three things."), speaker: DiscordHarness.speaker, turnNumber: 1)
        #expect(record.outcome == .replied)
        #expect(await harness.orchestrator.requests.last?.stream == nil)
        #expect(try OggOpus.decode(try #require(record.replyAudio)).duration > 1)
    }

    @Test("REPLY_STREAMING is a bridge setting, on by default")
    func setting() throws {
        #expect(DiscordConfig().replyStreaming)
        let off = try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord, environment: ["REPLY_STREAMING": "false"]))
        #expect(!off.replyStreaming)
    }
}
