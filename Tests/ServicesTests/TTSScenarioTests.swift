import FleetContracts
import FleetTelemetry
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MonitoringDashboardService
import NIOCore
import ServiceKit
import Testing
@testable import TTSBarkService

/// tts-bark's fault scenarios, seen in its `/metrics`.
@Suite("tts-bark: fault scenarios")
struct TTSScenarioTests {
    /// Synthesises `count` short replies with `scenario` at `value`; returns the statuses and `/metrics`.
    func synthesize(_ count: Int, _ scenario: Scenario, _ value: FlagValue?, environment: [String: String] = [:]) async throws
        -> (statuses: [HTTPResponse.Status], metrics: MetricExposition)
    {
        let body = ByteBuffer(bytes: try JSONEncoder.fleet.encode(SynthesisRequest(text: "Hello there.")))
        return try await TestMetrics.collecting { _ in
            let runtime = try ScenarioFixture.runtime(TTSBarkService.self, scenario, value, environment: environment)
            let built = try await testApplication(TTSBarkService.self, runtime: runtime, peers: NoPeers())
            return try await built.application.test(.router) { client in
                let statuses = try await ScenarioFixture.statuses(count) { _ in
                    let response = try await client.execute(uri: "/synthesize", method: .post,
                                                            headers: [.contentType: "application/json"], body: body)
                    if response.status != .ok { #expect(ScenarioFixture.errorCode(response.body) == "internal") }
                    return response.status
                }
                return (statuses, try await ScenarioFixture.metrics(client))
            }
        }
    }

    @Test("ttsSlow at 4x raises the synthesis duration median at least threefold")
    func slowRaisesTheMedian() async throws {
        // A model that takes exactly 1.3 s (real sleeps; rendering for real runs inside that time),
        // 5.2 s at 4x. Both land mid-bucket in the catalog's stage buckets — (1, 1.5] and (5, 8] —
        // so the bucket-interpolated medians read 1.25 s and 6.5 s, and the ratio stays at least 3
        // even if a loaded 2-core test run delays most syntheses off by up to ~0.9 s.
        let model = ["LATENCY_SCALE": "1", "TTS_LATENCY_MEDIAN": "1.3", "TTS_LATENCY_P99": "1.3", "TTS_LATENCY_PER_CHAR": "0"]
        async let offRun = synthesize(12, .ttsSlow, nil, environment: model)
        async let slowRun = synthesize(12, .ttsSlow, .number(4), environment: model)
        let (off, slow) = try await (offRun, slowRun)
        #expect(off.statuses.allSatisfy { $0 == .ok } && slow.statuses.allSatisfy { $0 == .ok })
        let before = try #require(ScenarioFixture.median(off.metrics, "tts_synthesis_duration_seconds"))
        let after = try #require(ScenarioFixture.median(slow.metrics, "tts_synthesis_duration_seconds"))
        let slowMean = ScenarioFixture.value(slow.metrics, "tts_synthesis_duration_seconds_sum")
            / ScenarioFixture.value(slow.metrics, "tts_synthesis_duration_seconds_count")
        print("ttsSlow: median \(before) s off, \(after) s at 4x (\(after / before)x); mean at 4x \(slowMean) s")
        #expect(after >= 3 * before, "median \(before) s off, \(after) s at 4x")
        // The factor stretches the model's whole time: no synthesis at 4x took less than 4 x 1.3 s.
        #expect(slowMean >= 4 * 1.3)
        #expect(ScenarioFixture.value(slow.metrics, "tts_syntheses_total", ["status": "success"]) == 12)
    }

    @Test("ttsFailure at 100 % fails every synthesis with a 500, counted as errors")
    func failureAtFullRate() async throws {
        let run = try await synthesize(5, .ttsFailure, .number(100))
        #expect(run.statuses == Array(repeating: .internalServerError, count: 5))
        #expect(ScenarioFixture.value(run.metrics, "tts_syntheses_total", ["status": "error"]) == 5)
        #expect(ScenarioFixture.value(run.metrics, "tts_syntheses_total", ["status": "success"]) == 0)
        #expect(ScenarioFixture.value(run.metrics, "http_server_errors_total",
                                      ["http_route": "/synthesize", "error_type": "internal"]) == 5)
        #expect(ScenarioFixture.value(run.metrics, "tts_synthesis_duration_seconds_count") == 0)
    }

    @Test("ttsFailure at 50 % fails about half of the syntheses, and the counters agree")
    func failureAtHalfRate() async throws {
        let count = 40
        let run = try await synthesize(count, .ttsFailure, .number(50))
        let failed = run.statuses.filter { $0 == .internalServerError }.count
        print("ttsFailure 50 %: \(failed) of \(count) failed")
        #expect((10...30).contains(failed), "\(failed) of \(count) failed")  // 20 ± 3 standard deviations
        #expect(ScenarioFixture.value(run.metrics, "tts_syntheses_total", ["status": "error"]) == Double(failed))
        #expect(ScenarioFixture.value(run.metrics, "tts_syntheses_total", ["status": "success"]) == Double(count - failed))
    }
}
