import FleetAudio
import FleetContracts
import FleetTestSupport
import Logging
import Prometheus
import ServiceKit
import Testing
@testable import DiscordService

/// Someone in the channel who starts talking after `afterFrames` frames of Atlas's reply, and
/// notes when: the reply's audience and its voice at once.
actor BargingListener: ReplyAudience, PlaybackSink {
    let afterFrames: Int
    let clock: any PacingClock
    private(set) var frames = 0
    private(set) var raisedAt: Duration?
    private var interrupt: PlaybackInterrupt?

    init(afterFrames: Int, clock: any PacingClock) {
        self.afterFrames = afterFrames
        self.clock = clock
    }

    func replyStarted(to speaker: String, seconds: Double, interrupt: PlaybackInterrupt) {
        self.interrupt = interrupt
    }

    func send(_ frame: [Float]) {
        frames += 1
        if frames == afterFrames, interrupt?.raise() == true { raisedAt = clock.now }
    }
}

/// Barge-in: a speaker talks over Atlas's reply, which stops within one frame.
/// A listener on a real connection: each frame takes a moment of real time to reach it.
struct UnhurriedListener: PlaybackSink {
    func send(_ frame: [Float]) async throws {
        try await Task.sleep(for: .milliseconds(1))
    }
}

@Suite("Discord barge-in")
struct DiscordBargeInTests {
    @Test("the player checks the interrupt before every frame and stops within one")
    func playerStops() async throws {
        let clock = VirtualClock()
        let listener = BargingListener(afterFrames: 5, clock: clock)
        let interrupt = PlaybackInterrupt()
        await listener.replyStarted(to: "Ava", seconds: 2, interrupt: interrupt)
        let report = try await FramePlayer(clock: clock).play([Float](repeating: 0.1, count: 960 * 100), into: listener,
                                                            interrupt: interrupt)
        #expect(report.interrupted)
        let heard = await listener.frames
        #expect(report.frames == 5 && heard == 5)
        let raisedAt = try #require(await listener.raisedAt)
        #expect(clock.now - raisedAt <= FramePlayer.frameDuration, "playback ran on past the next frame")
        #expect(!interrupt.isPlaying && !interrupt.raise(), "an interrupt fires once")
    }

    @Test("an interrupt after the reply ended changes nothing")
    func lateInterrupt() async throws {
        let interrupt = PlaybackInterrupt()
        interrupt.end()
        #expect(!interrupt.raise() && !interrupt.isRaised)
    }

    @Test("a reply cut off is turn outcome interrupted, counted, with only the frames before it played")
    func interruptedTurn() async throws {
        try await TestMetrics.collecting { registry in
            let harness = DiscordHarness()
            let listener = BargingListener(afterFrames: 10, clock: harness.clock)
            let pipeline = TurnPipeline(
                audioProcessor: harness.audioProcessor, transcriber: harness.transcriber, orchestrator: harness.orchestrator,
                matcher: WakePhraseMatcher(), clock: harness.clock, sink: listener, audience: listener, turns: harness.turns,
                channel: harness.channel, logger: Logger(label: "discord-test"))
            let record = await pipeline.run(DiscordHarness.segment("Hey Atlas, what time is it?"), speaker: DiscordHarness.speaker,
                                            turnNumber: 1)
            #expect(record.outcome == .interrupted)
            #expect(record.error == nil)
            #expect(await listener.frames == 10)
            let played = try #require(record.latencies.playback)
            #expect(abs(played - 0.2) < 1e-9)
            #expect(try #require(record.replySeconds) > played)
            let text = registry.emitToString()
            #expect(sampleValue(text, "voice_turns_interrupted_total") == 1)
            #expect(sampleValue(text, "voice_turns_total", ["outcome": "interrupted"]) == 1)
            #expect(sampleValue(text, "voice_turns_total", ["outcome": "replied"]) == nil)
        }
    }

    @Test("a channel at 100 % barge-in has another speaker cut into the reply, in real speakers' voices")
    func speakersBargeIn() async throws {
        // A long reply, heard by a listener who takes a real millisecond or two per frame, so the
        // barge-in lands while it plays: on the virtual clock a reply whose packets pass through
        // untouched would otherwise be over in a few milliseconds of CPU, before a loaded machine
        // lets the other speaker start talking.
        let harness = DiscordHarness(orchestrator: FakeOrchestrator(reply: .text(
            "Here is a long answer that goes on for quite a while, with many words in it, so that someone has time to cut in. "
                + "It carries on with a second part, just as long as the first, and then a third, so nobody misses the chance.")))
        var config = DiscordConfig()
        config.autostart = false
        let environment = harness.environment(config: config)
        let channel = try harness.channel(bargeInPercent: 100, listener: UnhurriedListener())
        let ava = await harness.speaker(in: channel, environment: environment)
        let ben = await harness.speaker(DiscordHarness.secondSpeaker, in: channel, environment: environment)
        let talking = [Task { await ava.run() }, Task { await ben.run() }]
        await ava.mailbox.deliver(Utterance(text: "Hey Atlas, tell me a story.", turnID: 42))

        // In the whole test run, every suite in parallel in one process, the barge-in lands 30-40 s
        // after this test starts (run alone, in under a second): the waits allow for that.
        let interrupted = await eventually(within: .seconds(120)) {
            await harness.turns.record(id: 42)?.outcome == .interrupted
        }
        // Ben's interjection becomes a turn of its own.
        let interjections = PhraseCorpus.interjections.map(\.text)
        let benSpoke = await eventually(within: .seconds(120)) {
            await harness.turns.recent(limit: 10).contains { $0.speaker == "Ben" && interjections.contains($0.phrase) }
        }
        environment.closing.close()
        for task in talking { task.cancel() }
        for task in talking { await task.value }

        let record = try #require(await harness.turns.record(id: 42))
        #expect(interrupted, "Ava's reply was not cut off: \(String(describing: record.outcome))")
        #expect(try #require(record.latencies.playback) < (record.replySeconds ?? 0))
        #expect(benSpoke, "Ben's interjection never became a turn")
    }
}
