import AsyncHTTPClient
import CoreMetrics
@testable import FleetTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import OTel
import Prometheus
@testable import ServiceKit
import Testing

@Suite("otlpBlackhole scenario: the OTLP relay")
struct OTLPRelayTests {
    static func relayed(_ outcome: String) -> String { #"otlp_relay_connections_total{outcome="\#(outcome)"}"# }

    @Test("forwards an export to the collector; black-holed, the export times out unanswered; then forwards again")
    func forwardsSwallowsAndResumes() async throws {
        let registry = PrometheusCollectorRegistry()
        let collector = FakeCollector()
        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            try await collector.serve { collectorPort in
                let relay = try await OTLPRelay.bind(forwardingTo: .init(host: "127.0.0.1", port: collectorPort))
                try await Self.running(relay) {
                    try await Self.withExporter { exporter in
                        try await Self.exportsThenBlackholes(relay, collector, registry, exporter)
                    }
                }
            }
        }
    }

    /// The steps of `forwardsSwallowsAndResumes` while the relay runs.
    static func exportsThenBlackholes(_ relay: OTLPRelay, _ collector: FakeCollector, _ registry: PrometheusCollectorRegistry,
                                      _ exporter: HTTPClient) async throws {
        let url = "http://127.0.0.1:\(relay.port)/v1/traces"
        #expect(try await Self.export(to: url, with: exporter) == 200)
        #expect(await collector.exports == ["/v1/traces"])
        #expect(registry.value(of: Self.relayed("forwarded")) == 1)

        relay.setBlackholed(true)
        // The exporter's pooled connection (forwarding until now) is swallowed...
        await #expect(throws: HTTPClientError.deadlineExceeded) {
            try await Self.export(to: url, with: exporter, timeout: Self.unansweredAfter)
        }
        // ...and so is a connection opened while the hole is open.
        try await Self.withExporter { another in
            await #expect(throws: HTTPClientError.deadlineExceeded) {
                try await Self.export(to: url, with: another, timeout: Self.unansweredAfter)
            }
        }
        #expect(await collector.exports == ["/v1/traces"], "nothing reached the collector")
        #expect(registry.value(of: Self.relayed("blackholed")) == 2)

        relay.setBlackholed(false)
        #expect(try await Self.export(to: url, with: exporter) == 200)
        #expect(await collector.exports == ["/v1/traces", "/v1/traces"])
        #expect(registry.value(of: Self.relayed("forwarded")) == 2)
    }

    @Test("an unreachable collector: the exporter's connection is closed and counted as failed")
    func unreachableCollector() async throws {
        let registry = PrometheusCollectorRegistry()
        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            // The port downstreamUnreachable uses: bound, never listening, so it refuses.
            let refusing = try #require(URLComponents(string: RefusingAddress.url)?.port)
            let relay = try await OTLPRelay.bind(forwardingTo: .init(host: "127.0.0.1", port: refusing))
            try await Self.running(relay) {
                try await Self.withExporter { exporter in
                    await #expect(throws: (any Error).self) {
                        try await Self.export(to: "http://127.0.0.1:\(relay.port)/v1/metrics", with: exporter)
                    }
                }
                #expect(registry.value(of: Self.relayed("failed")) == 1)
            }
        }
    }

    @Test("bootstrap routes every plain-HTTP OTLP exporter through a relay to its collector; https is left alone")
    func routing() async throws {
        let collector = FakeCollector()
        try await collector.serve { collectorPort in
            let configuration = try TelemetryConfiguration(serviceName: "stt", environment: [
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(collectorPort)",
                "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT": "https://logs.example:4318/v1/logs",
            ])
            var otel = configuration.otelConfiguration
            let routing = try await configuration.routeThroughRelays(&otel)
            let relay = try #require(routing.relays.first)
            #expect(routing.relays.count == 1, "traces and metrics share one collector, so one relay")
            #expect(relay.upstream == .init(host: "127.0.0.1", port: collectorPort))
            #expect(otel.traces.otlpExporter.endpoint == "http://127.0.0.1:\(relay.port)/v1/traces")
            #expect(otel.metrics.otlpExporter.endpoint == "http://127.0.0.1:\(relay.port)/v1/metrics")
            #expect(otel.logs.otlpExporter.endpoint == "https://logs.example:4318/v1/logs")
            #expect(routing.unavailable?.contains("logs go to https://logs.example:4318/v1/logs over TLS") == true)

            try await Self.running(relay) {
                try await Self.withExporter { exporter in
                    let status = try await Self.export(to: otel.metrics.otlpExporter.endpoint, with: exporter)
                    #expect(status == 200)
                }
                #expect(await collector.exports == ["/v1/metrics"])
            }
        }
        let none = try TelemetryConfiguration(serviceName: "stt", environment: ["OTEL_TRACES_EXPORTER": "none"])
        #expect(none.otlpEndpoint(.traces) == nil)
        #expect(none.otlpEndpoint(.metrics) == "http://localhost:4318/v1/metrics", "swift-otel's default endpoint")
    }

    // MARK: Helpers

    /// How long an export waits before it counts as unanswered (black-holed).
    static let unansweredAfter: TimeAmount = .seconds(1)

    /// Posts an (empty) OTLP export as swift-otel's HTTP exporter does; its status. An export that
    /// should be answered waits up to 30 s: under the whole suite on 2 cores the relay's and the
    /// collector's tasks can wait seconds for a thread, and that is not a black hole.
    static func export(to url: String, with client: HTTPClient, timeout: TimeAmount = .seconds(30)) async throws -> UInt {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/x-protobuf")
        request.body = .bytes(ByteBuffer(bytes: [0x0A, 0x00]))
        let response = try await client.execute(request, timeout: timeout)
        _ = try await response.body.collect(upTo: 1 << 20)
        return response.status.code
    }

    /// Runs `body` with a client like an exporter's, shut down however `body` ends: AsyncHTTPClient
    /// stops the process when a client is dropped without `shutdown()`, so an export that throws
    /// must not skip it.
    static func withExporter(_ body: (HTTPClient) async throws -> Void) async throws {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// Runs the relay (as its service would) while `body` runs.
    static func running(_ relay: OTLPRelay, _ body: () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await relay.run() }
            defer { group.cancelAll() }
            try await body()
        }
    }
}

/// A stand-in OTLP/HTTP collector that records the path of each export it receives and answers as
/// a collector does (200 with a protobuf content type; swift-otel counts anything else a failure).
actor FakeCollector {
    private(set) var exports: [String] = []

    func record(_ path: String) { exports.append(path) }

    /// Serves on an ephemeral port while `body` runs with that port.
    nonisolated func serve(_ body: @Sendable @escaping (Int) async throws -> Void) async throws {
        let router = Router()
        router.post("/v1/{signal}") { request, _ in
            _ = try await request.body.collect(upTo: 1 << 20)
            await self.record(request.uri.path)
            return Response(status: .ok, headers: [.contentType: "application/x-protobuf"])
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body(try #require(client.port)) }
    }
}
