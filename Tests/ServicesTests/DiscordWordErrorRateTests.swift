import FleetContracts
import FleetTelemetry
import FleetTestSupport
import InMemoryTracing
import Logging
import Prometheus
import ServiceKit
import Testing
import Tracing
@testable import DiscordService

/// The live word error rate: each turn's transcript scored against what its speaker said, on the
/// turn record, the turn span and the `voice_transcript_word_error_rate` histogram. The fake stt is
/// told what it "heard", as a real recognizer on a bad link would get it wrong.
@Suite("Discord transcript word error rate")
struct DiscordWordErrorRateTests {
    static let asked = "Hey Atlas, what time is it?"

    struct ScoredTurn {
        let record: TurnRecord
        let span: FinishedInMemorySpan
        /// The test's /metrics text.
        let metrics: String
        let orchestrator: FakeOrchestrator
        let turns: TurnLog

        var count: Double? { sampleValue(metrics, "voice_transcript_word_error_rate_count") }
        var sum: Double? { sampleValue(metrics, "voice_transcript_word_error_rate_sum") }
        func attribute(_ name: String) -> SpanAttribute? { span.attributes.get(name) }
    }

    /// One turn in which the speaker said `phrase` and stt heard `heard`.
    static func turn(saying phrase: String, heard: String) async throws -> ScoredTurn {
        let orchestrator = FakeOrchestrator()
        let turns = TurnLog(capacity: 10)
        let pipeline = TurnPipeline(
            audioProcessor: FakeAudioProcessor(), transcriber: FakeTranscriber(heard: heard), orchestrator: orchestrator,
            matcher: WakePhraseMatcher(), clock: VirtualClock(), sink: RecordingSink(), turns: turns,
            channel: ChannelLog(), logger: Logger(label: "discord-test"))
        let tracer = InMemoryTracer()
        return try await TestMetrics.collecting { registry in
            let record = await withTracer(tracer) {
                await pipeline.run(DiscordHarness.segment(phrase), speaker: DiscordHarness.speaker, turnNumber: 1)
            }
            let span = try #require(tracer.finishedSpans.first { $0.operationName == StageSpan.turn })
            return ScoredTurn(record: record, span: span, metrics: registry.emitToString(), orchestrator: orchestrator,
                              turns: turns)
        }
    }

    @Test("a misheard word is scored on the record, the span and the histogram")
    func misheard() async throws {
        // Six words said, one substituted: 1/6.
        let turn = try await Self.turn(saying: Self.asked, heard: "Hey Atlas, what time is in?")
        let rate = try #require(turn.record.wordErrorRate)
        #expect(abs(rate - 1.0 / 6) < 1e-9)
        #expect(turn.record.outcome == .replied, "a small error still wakes Atlas")
        #expect(turn.attribute("voice.transcript.word_error_rate") == .double(rate))
        #expect(turn.attribute("voice.transcript.reference_words") == .int64(6))
        #expect(turn.count == 1)
        #expect(turn.sum.map { abs($0 - 1.0 / 6) < 1e-9 } == true)
        #expect(await turn.turns.meanWordErrorRate.map { abs($0 - 1.0 / 6) < 1e-9 } == true)
    }

    @Test("an exact transcript scores 0, whatever its case and punctuation")
    func exact() async throws {
        let turn = try await Self.turn(saying: Self.asked, heard: "hey atlas what time is it")
        #expect(turn.record.wordErrorRate == 0)
        #expect(turn.attribute("voice.transcript.word_error_rate") == .double(0))
        #expect(turn.count == 1)
        #expect(turn.sum == 0)
        // The exact-zero bucket holds it: a perfect transcript is told apart from a nearly perfect one.
        #expect(turn.metrics.contains(#"voice_transcript_word_error_rate_bucket{le="0.0"} 1"#), "\(turn.metrics)")
        #expect(turn.metrics.contains(#"voice_transcript_word_error_rate_bucket{le="0.05"} 1"#))
    }

    @Test("an empty transcript of speech scores 1 and still counts")
    func empty() async throws {
        let turn = try await Self.turn(saying: Self.asked, heard: "")
        #expect(turn.record.outcome == .empty)
        #expect(turn.record.wordErrorRate == 1)
        #expect(turn.attribute("voice.transcript.word_error_rate") == .double(1))
        #expect(turn.count == 1)
        #expect(turn.sum == 1)
        #expect(await turn.orchestrator.requests.isEmpty)
    }

    @Test("the wake check reads what stt heard: a lost wake phrase is no_wake_phrase")
    func lostWakePhrase() async throws {
        // The speaker said "Hey Atlas", the link lost it: two of six words deleted.
        let turn = try await Self.turn(saying: Self.asked, heard: "what time is it")
        #expect(turn.record.outcome == .noWakePhrase)
        #expect(!turn.record.wakeDetected)
        #expect(await turn.orchestrator.requests.isEmpty)
        #expect(turn.record.wordErrorRate.map { abs($0 - 2.0 / 6) < 1e-9 } == true)
    }

    @Test("a segment that held none of the phrase's words is not scored")
    func nothingToScore() async throws {
        let turn = try await Self.turn(saying: "", heard: "atlas")
        #expect(turn.record.wordErrorRate == nil)
        #expect(turn.attribute("voice.transcript.word_error_rate") == nil)
        #expect(turn.count == nil)
        #expect(await turn.turns.meanWordErrorRate == nil)
    }

    @Test("an utterance the VAD never heard (a microphone far too quiet) scores 1, every word deleted")
    func unheardUtterance() async throws {
        try await TestMetrics.collecting { registry in
            let harness = DiscordHarness()
            let scenarios = ScenarioBoard(service: "discord")
            scenarios.set(.quietMicrophones, to: .number(60))
            let environment = harness.environment(scenarios: scenarios)
            let speaker = await harness.speaker(in: try harness.channel(), environment: environment)
            let link = try VoiceLink(segmenter: speaker.makeSegmenter())
            var noise = SeededGenerator(seed: 9, stream: "test/wer")
            let outcomes = try await speaker.speak(Utterance(text: Self.asked, turnID: 500), over: link, noise: &noise)
            #expect(outcomes == [.empty])
            let record = try #require(await harness.turns.record(id: 500))
            #expect(record.error?.contains("no speech segment") == true, "the VAD, not stt, missed it")
            #expect(record.wordErrorRate == 1)
            let text = registry.emitToString()
            #expect(sampleValue(text, "voice_transcript_word_error_rate_count") == 1)
            #expect(sampleValue(text, "voice_transcript_word_error_rate_sum") == 1)
            #expect(await harness.transcriber.received.isEmpty)
        }
    }

    @Test("the turn log's mean covers its recent scored turns only")
    func recentMean() async {
        let log = TurnLog(capacity: 2)
        for (id, rate) in [(1, 1.0), (2, 0.5), (3, nil), (4, 0.0)] as [(Int, Double?)] {
            var record = TurnRecord(id: id, speaker: "Ava", sessionId: "s", turnNumber: id, phrase: "hey atlas hi")
            record.wordErrorRate = rate
            record.outcome = .replied
            await log.store(record)
        }
        // The oldest rate (1.0) fell out of the two-turn window; the unscored turn adds nothing.
        #expect(await log.meanWordErrorRate == 0.25)
    }

    @Test("the page shows each turn's WER, the phrase beside a wrong transcript, and the recent mean")
    func page() {
        var wrong = TurnRecord(id: 1, speaker: "Ava", sessionId: "s", turnNumber: 1, phrase: "Hey Atlas, what time is it?")
        wrong.transcript = "what time is it"
        wrong.wordErrorRate = 2.0 / 6
        wrong.outcome = .noWakePhrase
        var right = TurnRecord(id: 2, speaker: "Ava", sessionId: "s", turnNumber: 2, phrase: "Ok Atlas, tell me a joke.")
        right.transcript = "ok atlas tell me a joke"
        right.wordErrorRate = 0
        right.outcome = .replied
        let html = VoicePage.render(turns: [wrong, right], speakers: [], medianEndToEnd: nil, meanWordErrorRate: 1.0 / 6)
        #expect(html.contains("WER 33 %"))
        #expect(html.contains("WER 0 %"))
        #expect(html.contains("said: Hey Atlas, what time is it?"))
        #expect(!html.contains("said: Ok Atlas"), "a perfect transcript needs no correction beside it")
        #expect(html.contains("<b>17 %</b>"))
        let idle = VoicePage.render(turns: [], speakers: [], medianEndToEnd: nil)
        #expect(idle.contains("no transcripts yet"))
    }
}
