import AsyncHTTPClient
import FleetAudio
import FleetSpeech
import FleetContracts
import FleetTelemetry
import FleetTestSupport
import Prometheus
import ServiceKit
import Testing
@testable import AudioProcessorService
@testable import DiscordService

/// What a link did to a handful of phrases: the segments the bridge cut, each with the share of
/// it that was concealed, and the link's own counts.
private struct Carried {
    var segments: [(segment: Segment, concealed: Double)] = []
    var statistics = VoiceLink.Statistics()
    var reports: [LinkTelemetry.Report] = []

    var total: LinkTelemetry.Report {
        reports.reduce(into: LinkTelemetry.Report()) { sum, report in
            sum.packetsReceived += report.packetsReceived
            sum.packetsLost += report.packetsLost
            sum.packetsLate += report.packetsLate
            sum.concealedByPLC += report.concealedByPLC
            sum.concealedByFEC += report.concealedByFEC
        }
    }
}

private enum Phrases {
    static let all = [
        "Hey Atlas, what should I cook for dinner tonight?",
        "Hey Atlas, remind me to water the plants tomorrow morning.",
        "Ok Atlas, what is the weather going to be like this weekend?",
        "Hey Atlas, how long does it take to boil an egg?",
        "Atlas, tell me something interesting about octopuses.",
        "Hey Atlas, who is bringing the snacks on Friday?",
    ]
}

/// Streams `phrases` as a speaker's client does (lead-in, phrase, trailing silence, room noise at
/// an office's -55 dBFS) through a link whose network follows `conditions`. Its reports are
/// recorded, or go to `telemetry` when given. Seconds of CPU in a debug build, so off the
/// cooperative threads (`HeavyWork`).
private func carry(_ phrases: [String], conditions: @escaping @Sendable () -> LinkConditions,
                   telemetry: LinkTelemetry? = nil) async throws -> Carried {
    try await HeavyWork.run { try carryNow(phrases, conditions: conditions, telemetry: telemetry) }
}

private func carryNow(_ phrases: [String], conditions: @escaping @Sendable () -> LinkConditions,
                      telemetry: LinkTelemetry?) throws -> Carried {
    let (recorder, reports) = LinkTelemetry.recording()
    let link = try VoiceLink(segmenter: Segmenter(), lossSeed: SeededGenerator(seed: 11, stream: "test/link"),
                             conditions: conditions, telemetry: telemetry ?? recorder)
    var noise = SeededGenerator(seed: 3, stream: "test/noise")
    var carried = Carried()
    for phrase in phrases {
        let speech = SpeechSynthesizer(voice: .default).synthesize(phrase)
        for frame in SimulatedSpeaker.burst(speech, silenceTimeout: 0.75) {
            let sent = frame.map { $0 + Float.random(in: -0.003...0.003, using: &noise) }
            carried.segments += try link.carry(sent).map { (segment: $0, concealed: link.concealedRatio(of: $0)) }
        }
    }
    carried.segments += link.flush().map { (segment: $0, concealed: link.concealedRatio(of: $0)) }
    carried.statistics = link.statistics
    carried.reports = reports()
    return carried
}

/// The audio processor's real scores for a segment, as /process/segment computes them.
private func scores(_ segment: Segment, concealed: Double) -> QualityMetrics {
    let audio = DecodedAudio(samples: segment.samples, comments: [:],
                             duration: segment.duration, packetCount: 0)
    return AudioPipeline(config: AudioProcessorConfig()).processSegment(audio, concealedFrameRatio: concealed).metrics
}

private func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(1, values.count)) }

/// Sends each segment to a live audio processor through the bridge's own client, with its
/// concealed share, and returns the mean input quality score the processor recorded in
/// `audio_quality_score{stage="input"}`.
private func recordedInputQuality(of segments: [(segment: Segment, concealed: Double)],
                                  in registry: PrometheusCollectorRegistry) async throws -> Double {
    let uploads = try segments.map { (try OggOpus.encode($0.segment.samples), $0.concealed) }
    try await STTFixture.live(AudioProcessorService.self, member: .audioProcessor) { port in
        let processor = AudioProcessingClient(DownstreamClient(peer: "audio-processor", url: "http://127.0.0.1:\(port)",
                                                               http: .fleet))
        for (audio, concealed) in uploads {
            _ = try await processor.processSegment(audio, concealedFrameRatio: concealed)
        }
    }
    let text = registry.emitToString()
    let sum = try #require(sampleValue(text, "audio_quality_score_sum", ["stage": "input"]))
    let count = try #require(sampleValue(text, "audio_quality_score_count", ["stage": "input"]))
    #expect(count == Double(segments.count))
    return sum / count
}

@Suite("Discord voice link: impairment")
struct VoiceLinkImpairmentTests {
    @Test("with 10 % bursty loss the loss and concealment counters rise and the quality score falls")
    func packetLossLowersQuality() async throws {
        let board = ScenarioBoard(service: "discord")
        board.set(.packetLoss, to: .number(10))
        let lossy = try await carry(Phrases.all,
                                    conditions: LinkConditions.live(lossPercent: 0, jitterMs: 0, scenarios: board))
        let clean = try await carry(Phrases.all, conditions: LinkConditions.fixed(lossPercent: 0))

        let stats = lossy.statistics
        let lossRate = Double(stats.packetsLost) / Double(stats.packetsSent)
        #expect(abs(lossRate - 0.10) < 0.05, "loss rate \(lossRate)")
        #expect(stats.framesConcealed > 0 && stats.framesRecovered > 0)
        // After the flush every lost packet's frame has been filled in, one way or the other.
        #expect(stats.framesConcealed + stats.framesRecovered == stats.packetsLost + stats.packetsLate)
        #expect(stats.packetsReceived + stats.packetsLost + stats.packetsLate == stats.packetsSent)
        // The metrics saw exactly what the link counted.
        let total = lossy.total
        #expect(total.packetsLost == stats.packetsLost && total.packetsReceived == stats.packetsReceived)
        #expect(total.concealedByPLC == stats.framesConcealed && total.concealedByFEC == stats.framesRecovered)
        #expect(clean.statistics.packetsLost == 0 && clean.total.concealedByPLC == 0 && clean.total.concealedByFEC == 0)
        #expect(clean.statistics.packetsReceived == clean.statistics.packetsSent)

        #expect(lossy.segments.count == Phrases.all.count && clean.segments.count == Phrases.all.count)
        let ratios = lossy.segments.map(\.concealed)
        #expect(mean(ratios) > 0.03 && clean.segments.allSatisfy { $0.concealed == 0 })
        let (lossyScores, cleanScores) = try await HeavyWork.run {
            (lossy.segments.map { scores($0.segment, concealed: $0.concealed) },
             clean.segments.map { scores($0.segment, concealed: $0.concealed) })
        }
        let input = (clean: mean(cleanScores.map(\.inputQualityScore)), lossy: mean(lossyScores.map(\.inputQualityScore)))
        let processed = (clean: mean(cleanScores.map(\.qualityScore)), lossy: mean(lossyScores.map(\.qualityScore)))
        print("""
            10 % bursty loss: sent \(stats.packetsSent), lost \(stats.packetsLost) (\(lossRate)), plc \(stats.framesConcealed), \
            fec \(stats.framesRecovered), concealed per segment \(ratios); input quality \(input.clean) -> \(input.lossy), \
            processed \(processed.clean) -> \(processed.lossy)
            """)
        #expect(input.lossy < input.clean - 0.1)
        #expect(processed.lossy < processed.clean - 0.1)
    }

    @Test("10 % loss moves the catalogued metrics, and a live audio processor's audio_quality_score falls")
    func packetLossMovesTheMetrics() async throws {
        let board = ScenarioBoard(service: "discord")
        board.set(.packetLoss, to: .number(10))
        let lossyQuality = try await TestMetrics.collecting { registry in
            let lossy = try await carry(Phrases.all,
                                        conditions: LinkConditions.live(lossPercent: 0, jitterMs: 0, scenarios: board),
                                        telemetry: .metrics)
            let stats = lossy.statistics, text = registry.emitToString()
            #expect(stats.packetsLost > 0 && stats.framesConcealed > 0 && stats.framesRecovered > 0)
            #expect(sampleValue(text, "voice_packets_lost_total") == Double(stats.packetsLost))
            #expect(sampleValue(text, "voice_packets_received_total") == Double(stats.packetsReceived))
            #expect(sampleValue(text, "voice_packets_late_total") == 0)
            #expect(sampleValue(text, "voice_frames_concealed_total", ["method": "plc"]) == Double(stats.framesConcealed))
            #expect(sampleValue(text, "voice_frames_concealed_total", ["method": "fec"]) == Double(stats.framesRecovered))
            #expect((sampleValue(text, "voice_jitter_buffer_delay_seconds_count") ?? 0) > 0)
            #expect((sampleValue(text, "voice_network_jitter_seconds_count") ?? 0) > 0)
            return try await recordedInputQuality(of: lossy.segments, in: registry)
        }
        let cleanQuality = try await TestMetrics.collecting { registry in
            let clean = try await carry(Phrases.all, conditions: LinkConditions.fixed(lossPercent: 0), telemetry: .metrics)
            #expect(sampleValue(registry.emitToString(), "voice_packets_lost_total") == 0)
            return try await recordedInputQuality(of: clean.segments, in: registry)
        }
        print("audio_quality_score{stage=input} mean: clean \(cleanQuality), 10 % bursty loss \(lossyQuality)")
        #expect(lossyQuality < cleanQuality - 0.1)
    }

    @Test("with jitter, late packets appear, the buffer delay grows and the phrases still segment")
    func jitterMakesLatePackets() async throws {
        let board = ScenarioBoard(service: "discord")
        board.set(.jitterBurst, to: .number(60))
        let jittery = try await carry(Phrases.all,
                                      conditions: LinkConditions.live(lossPercent: 0, jitterMs: 0, scenarios: board))
        let steady = try await carry(Phrases.all, conditions: LinkConditions.fixed(lossPercent: 0))

        let stats = jittery.statistics
        print("""
            60 ms jitter: sent \(stats.packetsSent), late \(stats.packetsLate), plc \(stats.framesConcealed), \
            fec \(stats.framesRecovered), jitter \(stats.jitterSeconds) s, buffer \(stats.bufferDelaySeconds) s; \
            steady buffer \(steady.statistics.bufferDelaySeconds) s
            """)
        #expect(stats.packetsLost == 0)
        #expect(stats.packetsLate > 0)
        #expect(jittery.total.packetsLate == stats.packetsLate)
        #expect(stats.framesConcealed + stats.framesRecovered == stats.packetsLate)
        #expect(stats.jitterSeconds > 0.02 && stats.jitterSeconds < 0.1)
        #expect(stats.bufferDelaySeconds > steady.statistics.bufferDelaySeconds + 0.05)
        #expect(jittery.reports.map(\.bufferDelaySeconds).max()! > 0.07)
        #expect(steady.statistics.packetsLate == 0 && steady.statistics.jitterSeconds < 1e-6)
        #expect(jittery.segments.count == Phrases.all.count)
        #expect(jittery.segments.allSatisfy { $0.segment.closedBy == .silence })
    }

    @Test("scenarios switched on and off while a speaker talks take effect on the next packets")
    func liveConditions() async throws {
        let board = ScenarioBoard(service: "discord")
        let (frameCount, statisticsAt, recovered) = try await HeavyWork.run {
            var statisticsAt: [Int] = []
            let (telemetry, _) = LinkTelemetry.recording()
            let link = try VoiceLink(segmenter: Segmenter(), lossSeed: SeededGenerator(seed: 5),
                                     conditions: LinkConditions.live(lossPercent: 0, jitterMs: 0, scenarios: board),
                                     telemetry: telemetry)
            let speech = SpeechSynthesizer(voice: .default).synthesize(Phrases.all[0])
            let frames = SimulatedSpeaker.burst(speech, silenceTimeout: 0.75)
            for round in 0..<3 {
                board.set(.packetLoss, to: round == 1 ? .number(30) : nil)
                for frame in frames { _ = try link.carry(frame) }
                statisticsAt.append(link.statistics.packetsLost)
            }
            return (frames.count, statisticsAt, link.statistics.framesRecovered)
        }
        let lostBefore = statisticsAt[0]
        let lostDuring = statisticsAt[1] - statisticsAt[0]
        #expect(lostBefore == 0)
        #expect(Double(lostDuring) > 0.1 * Double(frameCount))
        #expect(statisticsAt[2] == statisticsAt[1])
        // The client turned FEC on while loss was expected, so some frames came back from it.
        #expect(recovered > 0)
    }

    @Test("at the scenarios' maxima (50 % loss, 500 ms jitter) each phrase still closes within its own burst")
    func worstCaseStillSegments() async throws {
        let board = ScenarioBoard(service: "discord")
        board.set(.packetLoss, to: .number(50))
        board.set(.jitterBurst, to: .number(500))
        let phrases = Array(Phrases.all.prefix(3))
        let (closedPerPhrase, bufferDelay) = try await HeavyWork.run {
            let link = try VoiceLink(segmenter: Segmenter(), lossSeed: SeededGenerator(seed: 8),
                                     conditions: LinkConditions.live(lossPercent: 0, jitterMs: 0, scenarios: board),
                                     telemetry: LinkTelemetry.recording().telemetry)
            var closedPerPhrase: [[(segment: Segment, concealed: Double)]] = []
            for phrase in phrases {
                let speech = SpeechSynthesizer(voice: .default).synthesize(phrase)
                var closed: [Segment] = []
                for frame in SimulatedSpeaker.burst(speech, silenceTimeout: 0.75) { closed += try link.carry(frame) }
                closedPerPhrase.append(closed.map { (segment: $0, concealed: link.concealedRatio(of: $0)) })
            }
            return (closedPerPhrase, link.statistics.bufferDelaySeconds)
        }
        for (phrase, closed) in zip(phrases, closedPerPhrase) {
            // The buffer's delay cap keeps the playout lag inside the burst's trailing silence.
            #expect(closed.count == 1 && closed.first?.segment.closedBy == .silence, "\(phrase)")
            #expect(closed.allSatisfy { $0.concealed > 0.4 })
        }
        #expect(bufferDelay <= 0.25)
    }

    @Test("DISCORD_JITTER_MS sets the static jitter; out of range names the variable")
    func jitterSetting() throws {
        #expect(try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord)).jitterMs == 0)
        let custom = try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord,
                                                                           environment: ["DISCORD_JITTER_MS": "40"]))
        #expect(custom.jitterMs == 40)
        #expect(throws: SettingsError.self) {
            _ = try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord, environment: ["DISCORD_JITTER_MS": "-5"]))
        }
    }
}
