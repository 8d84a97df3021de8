import FleetAudio
import FleetContracts
import FleetTestSupport
import InMemoryTracing
import Logging
import ServiceKit
import Testing
import Tracing
@testable import DiscordService

/// Barge-in as the trace tells it: the playback span ends early and says why. The pipeline makes
/// its spans through the global tracer, as in the fleet; `withTracer` binds an in-memory tracer
/// to this test's task only, so nothing process-wide is bootstrapped and no other test's spans
/// can land here.
///
/// Replies play on the real clock, because span durations are read from the tracer's wall
/// clock: a reply cut off after 10 frames must end its span long before the reply could have
/// finished, and one that plays out must last its whole length.
@Suite("Discord barge-in spans")
struct DiscordBargeInSpanTests {
    /// About three seconds of speech: long enough that a reply cut after 200 ms is plainly short.
    static let reply = "Here is an answer long enough to be cut short."
    static let bargeInFrame = 10

    struct PlayedTurn {
        let record: TurnRecord
        let turn: FinishedInMemorySpan
        let playback: FinishedInMemorySpan
        /// Every 20 ms frame of the reply, the last one padded.
        var replyFrames: Int { Int((replySeconds / AudioFormat.frameDuration).rounded(.up)) }
        var replySeconds: Double { record.replySeconds ?? 0 }
    }

    /// One turn whose reply someone talks over after `bargeInAfter` frames (never, when nil),
    /// with its `voice.turn` span and that span's playback stage span.
    static func playTurn(bargeInAfter frames: Int?) async throws -> PlayedTurn {
        let harness = DiscordHarness(orchestrator: FakeOrchestrator(reply: .text(reply)))
        let listener = BargingListener(afterFrames: frames ?? .max, clock: RealTimeClock())
        let pipeline = TurnPipeline(
            audioProcessor: harness.audioProcessor, transcriber: harness.transcriber, orchestrator: harness.orchestrator,
            matcher: WakePhraseMatcher(), clock: RealTimeClock(), sink: listener, audience: listener, turns: harness.turns,
            channel: harness.channel, logger: Logger(label: "discord-test"))
        let tracer = InMemoryTracer()
        let record = await withTracer(tracer) {
            await pipeline.run(DiscordHarness.segment("Hey Atlas, tell me something."), speaker: DiscordHarness.speaker,
                               turnNumber: 1)
        }
        let spans = tracer.finishedSpans
        let turn = try #require(spans.first {
            $0.operationName == StageSpan.turn && $0.attributes.get("voice.turn.id") == .int64(Int64(record.id))
        }, "no voice.turn span for turn \(record.id) among \(spans.map(\.operationName))")
        let playback = try #require(spans.first {
            $0.operationName == StageSpan.playback && $0.traceID == turn.traceID && $0.parentSpanID == turn.spanID
        }, "the turn has no playback span")
        return PlayedTurn(record: record, turn: turn, playback: playback)
    }

    static func seconds(of span: FinishedInMemorySpan) -> Double {
        Double(span.endInstant.nanosecondsSinceEpoch - span.startInstant.nanosecondsSinceEpoch) / 1e9
    }

    @Test("barge-in: the playback span ends early, and it and the turn span say interrupted")
    func interruptedSpans() async throws {
        let played = try await Self.playTurn(bargeInAfter: Self.bargeInFrame)
        #expect(played.record.outcome == .interrupted)
        #expect(played.replySeconds > 2, "the reply is too short to show an early end: \(played.replySeconds) s")

        #expect(played.turn.attributes.get("voice.interrupted") == .bool(true))
        #expect(played.turn.attributes.get("voice.outcome") == .string(TurnOutcome.interrupted.rawValue))
        #expect(played.playback.attributes.get("voice.interrupted") == .bool(true))
        #expect(played.playback.attributes.get("audio.duration_seconds") == .double(played.replySeconds),
                "the span names the whole reply it was meant to play")

        // The span ended after the frames that went out before the barge-in, not the reply's: a
        // count, so it holds however loaded the machine is. (Its wall-clock length is not
        // compared with the reply's: in a full test run on two cores, pacing sleeps stretch, and
        // ten frames have taken longer than a whole unloaded reply.)
        #expect(played.playback.attributes.get("voice.playback.frames") == .int64(Int64(Self.bargeInFrame)))
        #expect(Self.bargeInFrame * 2 < played.replyFrames)
        let spanSeconds = Self.seconds(of: played.playback)
        #expect(spanSeconds >= Double(Self.bargeInFrame - 1) * AudioFormat.frameDuration,
                "the span covered the frames it played: \(spanSeconds) s")
        #expect(Self.seconds(of: played.turn) >= spanSeconds)
    }

    @Test("without barge-in the playback span lasts the whole reply and nothing says interrupted")
    func uninterruptedSpans() async throws {
        let played = try await Self.playTurn(bargeInAfter: nil)
        #expect(played.record.outcome == .replied)
        #expect(played.turn.attributes.get("voice.outcome") == .string(TurnOutcome.replied.rawValue))
        #expect(played.turn.attributes.get("voice.interrupted") == nil)
        #expect(played.playback.attributes.get("voice.interrupted") == nil)
        #expect(played.playback.attributes.get("voice.playback.frames") == .int64(Int64(played.replyFrames)))
        // Paced in real time, frame n goes out no earlier than n × 20 ms after the first: the span
        // cannot be shorter than the reply, less its last frame.
        let spanSeconds = Self.seconds(of: played.playback)
        let lowerBound = Double(played.replyFrames - 1) * AudioFormat.frameDuration
        #expect(spanSeconds >= lowerBound, "playback span lasted \(spanSeconds) s of a \(played.replySeconds) s reply")
    }
}
