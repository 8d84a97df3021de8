import FleetContracts
import FleetTelemetry
import FleetTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MonitoringDashboardService
import NIOCore
import ServiceKit
import Testing
@testable import STTService

/// stt's fault scenarios, each seen where an operator would see it: in stt's own `/metrics`.
@Suite("stt: fault scenarios")
struct STTScenarioTests {
    /// Transcribes `count` uploads with `scenario` at `value`; returns the statuses and `/metrics`.
    func transcribe(_ count: Int, _ scenario: Scenario, _ value: FlagValue?, environment: [String: String] = [:],
                    phrase: String = STTFixture.phrase) async throws -> (statuses: [HTTPResponse.Status], metrics: MetricExposition) {
        let audio = ByteBuffer(bytes: try STTFixture.ogg(STTFixture.speech(phrase), reference: phrase))
        return try await TestMetrics.collecting { _ in
            // The reference engine: these tests time the modelled latency, which real recognition
            // (waiting for a decoder while the other tests recognise) would blur.
            let runtime = try ScenarioFixture.runtime(STTService.self, scenario, value,
                                                      environment: ["STT_ENGINE": "reference"].merging(environment) { $1 })
            // No enhancement: the scenario is about the model's own time and failures.
            let built = try await testApplication(STTService.self, runtime: runtime, peers: .init(audioProcessor: nil))
            return try await built.application.test(.router) { client in
                let statuses = try await ScenarioFixture.statuses(count) { _ in
                    let response = try await client.execute(uri: "/asr", method: .post, headers: [.contentType: "audio/ogg"],
                                                            body: audio)
                    if response.status != .ok { #expect(ScenarioFixture.errorCode(response.body) == "internal") }
                    return response.status
                }
                return (statuses, try await ScenarioFixture.metrics(client))
            }
        }
    }

    @Test("sttSlow at 4x raises the transcription duration median at least threefold")
    func slowRaisesTheMedian() async throws {
        // A model that takes exactly 1.3 s (real sleeps, after decoding the upload), 5.2 s at 4x.
        // Both land mid-bucket in the catalog's stage buckets — (1, 1.5] and (5, 8] — so the
        // bucket-interpolated medians read 1.25 s and 6.5 s, and the ratio stays at least 3 even if
        // decoding and a loaded 2-core test run add up to ~0.8 s to most transcriptions off.
        let model = ["LATENCY_SCALE": "1", "STT_LATENCY_MEDIAN": "1.3", "STT_LATENCY_P99": "1.3",
                     "STT_LATENCY_PER_AUDIO_SECOND": "0"]
        async let offRun = transcribe(12, .sttSlow, nil, environment: model)
        async let slowRun = transcribe(12, .sttSlow, .number(4), environment: model)
        let (off, slow) = try await (offRun, slowRun)
        #expect(off.statuses.allSatisfy { $0 == .ok } && slow.statuses.allSatisfy { $0 == .ok })
        let before = try #require(ScenarioFixture.median(off.metrics, "stt_transcription_duration_seconds"))
        let after = try #require(ScenarioFixture.median(slow.metrics, "stt_transcription_duration_seconds"))
        let slowMean = ScenarioFixture.value(slow.metrics, "stt_transcription_duration_seconds_sum")
            / ScenarioFixture.value(slow.metrics, "stt_transcription_duration_seconds_count")
        print("sttSlow: median \(before) s off, \(after) s at 4x (\(after / before)x); mean at 4x \(slowMean) s")
        #expect(after >= 3 * before, "median \(before) s off, \(after) s at 4x")
        // The factor stretches the model's whole time: no transcription at 4x took less than 4 x 1.3 s.
        #expect(slowMean >= 4 * 1.3)
        #expect(ScenarioFixture.value(slow.metrics, "scenario_active", ["scenario": "sttSlow"]) == 1)
        #expect(ScenarioFixture.value(slow.metrics, "scenario_severity", ["scenario": "sttSlow"]) == 4)
    }

    @Test("sttFailure at 100 % fails every transcription with a 500, counted as errors")
    func failureAtFullRate() async throws {
        let run = try await transcribe(5, .sttFailure, .number(100))
        #expect(run.statuses == Array(repeating: .internalServerError, count: 5))
        #expect(ScenarioFixture.value(run.metrics, "stt_transcriptions_total", ["status": "error"]) == 5)
        #expect(ScenarioFixture.value(run.metrics, "stt_transcriptions_total", ["status": "success"]) == 0)
        #expect(ScenarioFixture.value(run.metrics, "http_server_errors_total",
                                      ["http_route": "/asr", "error_type": "internal"]) == 5)
        #expect(ScenarioFixture.value(run.metrics, "stt_transcription_duration_seconds_count") == 0)
    }

    @Test("sttFailure at 50 % fails about half of the transcriptions, and the counters agree")
    func failureAtHalfRate() async throws {
        let count = 60
        let run = try await transcribe(count, .sttFailure, .number(50), phrase: "hey atlas")
        let failed = run.statuses.filter { $0 == .internalServerError }.count
        print("sttFailure 50 %: \(failed) of \(count) failed")
        #expect((18...42).contains(failed), "\(failed) of \(count) failed")  // 30 ± 3 standard deviations
        #expect(run.statuses.allSatisfy { $0 == .ok || $0 == .internalServerError })
        #expect(ScenarioFixture.value(run.metrics, "stt_transcriptions_total", ["status": "error"]) == Double(failed))
        #expect(ScenarioFixture.value(run.metrics, "stt_transcriptions_total", ["status": "success"]) == Double(count - failed))
        #expect(ScenarioFixture.value(run.metrics, "http_server_errors_total", ["error_type": "internal"]) == Double(failed))
    }

    @Test("with every scenario off, nothing fails")
    func offMeansHealthy() async throws {
        let run = try await transcribe(6, .sttFailure, nil)
        #expect(run.statuses.allSatisfy { $0 == .ok })
        #expect(ScenarioFixture.value(run.metrics, "stt_transcriptions_total", ["status": "error"]) == 0)
        #expect(ScenarioFixture.value(run.metrics, "scenario_active", ["scenario": "sttFailure"]) == 0)
    }
}
