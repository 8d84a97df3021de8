import FleetTelemetry
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MonitoringDashboardService
import NIOCore
import NIOFoundationEssentialsCompat
import ServiceKit

/// What the fault-scenario suites share: a service's runtime with a scenario switched on, its
/// `/metrics` read back as Prometheus would, and a histogram's median as Grafana would show it.
///
/// Each suite records into its own registry (`TestMetrics.collecting`), so counts are exact and
/// other tests running meanwhile cannot move them.
enum ScenarioFixture {
    /// `service`'s runtime, as `testApplication` makes it, with `scenario` set to `value` (nil: off).
    static func runtime<S: FleetService>(_ service: S.Type, _ scenario: Scenario, _ value: FlagValue?,
                                         environment: [String: String] = [:], port: Int? = nil) throws -> ServiceRuntime {
        var settings = try ServiceSettings.forTesting(member: S.member,
                                                      environment: ["LATENCY_SCALE": "0.01"].merging(environment) { $1 })
        if let port { settings.port = port }
        let runtime = ServiceRuntime(member: S.member, settings: settings)
        runtime.scenarios.set(scenario, to: value)
        return runtime
    }

    /// The `/metrics` of the application `client` talks to, parsed.
    static func metrics(_ client: some TestClientProtocol) async throws -> MetricExposition {
        let response = try await client.execute(uri: "/metrics", method: .get)
        return PrometheusText.parse(String(buffer: response.body))
    }

    /// A series' value, 0 when it does not exist yet (tests do not pre-create series).
    static func value(_ metrics: MetricExposition, _ name: String, _ labels: [String: String] = [:]) -> Double {
        metrics.sum(name, matching: labels) ?? 0
    }

    /// `histogram_quantile(0.5, ...)` of histogram `name`.
    static func median(_ metrics: MetricExposition, _ name: String) -> Double? {
        HistogramQuantile.estimate(0.5, buckets: metrics.histogramBuckets(name))
    }

    /// Sends `count` requests, at most `width` at a time, and returns their statuses in order.
    static func statuses(_ count: Int, width: Int = 6,
                         _ send: @escaping @Sendable (Int) async throws -> HTTPResponse.Status) async throws
        -> [HTTPResponse.Status]
    {
        var statuses: [HTTPResponse.Status] = []
        for batch in stride(from: 0, to: count, by: width) {
            let answered = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { group in
                for index in batch..<min(batch + width, count) {
                    group.addTask { (index, try await send(index)) }
                }
                return try await group.reduce(into: [(Int, HTTPResponse.Status)]()) { $0.append($1) }
            }
            statuses += answered.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return statuses
    }

    /// The `code` of a fleet error body.
    static func errorCode(_ body: ByteBuffer) -> String? {
        struct Body: Decodable { struct Detail: Decodable { let code: String }; let error: Detail }
        return try? JSONDecoder.fleet.decode(Body.self, from: Data(buffer: body)).error.code
    }
}
