public import FleetTelemetry
import Foundation
public import Hummingbird
public import ServiceKit
public import ServiceLifecycle

/// monitoring-dashboard: a live view of the fleet read straight from each service's
/// /health/ready and /metrics, with the quantiles from Prometheus when one is configured (the
/// original ran PromQL against Prometheus from Streamlit), and the fleet's traces and logs from
/// its embedded OTLP backend: the service map, the latest traces and each one's waterfall.
///
/// It is a viewer, so nothing it watches is a readiness dependency: it stays ready while the
/// services are down and shows them as down. Its one component is the poller itself.
public enum MonitoringDashboardService: FleetService {
    public static let member = FleetMember.monitoringDashboard
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_yaml }

    /// What the dashboard reads, and how.
    public struct Peers: Sendable {
        /// Every other service, polled for /health/ready and /metrics.
        public var targets: [ScrapeTarget]
        /// How the services are read: HTTP in a process, canned replies in a test.
        public var transport: any ScrapeTransport
        /// Prometheus when PROMETHEUS_URL is set: its readiness is shown, and its HTTP API answers
        /// the quantiles.
        public var prometheus: PrometheusAPI?
        /// Where the pages read traces and logs from: nil (a process) installs the embedded OTLP
        /// backend and reads its store; a test passes an in-memory fake.
        public var telemetry: (any TelemetryQueries)?

        public init(targets: [ScrapeTarget], transport: any ScrapeTransport, prometheus: PrometheusAPI? = nil,
                    telemetry: (any TelemetryQueries)? = nil) {
            self.targets = targets
            self.transport = transport
            self.prometheus = prometheus
            self.telemetry = telemetry
        }
    }

    /// Every GET goes through the kit's untraced probe client: polling nine services every few
    /// seconds would otherwise start several root traces a second and bury the voice turns in
    /// Jaeger — Prometheus does not trace its scrapes either.
    public static func peers(runtime: ServiceRuntime) throws -> Peers {
        let config = try MonitoringDashboardConfig(settings: runtime.settings)
        let transport = HTTPScrapeTransport(http: .probes, timeout: config.scrapeTimeout)
        let targets = FleetMember.allCases.filter { $0 != member }.map { peer in
            ScrapeTarget(name: peer.name, baseURL: runtime.settings.peerURLs[peer] ?? peer.defaultURL)
        }
        return Peers(targets: targets, transport: transport,
                     prometheus: config.prometheusURL.map { PrometheusAPI(url: $0, transport: transport) })
    }

    public static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime,
                             peers: Peers) async throws -> [any Service] {
        let config = try MonitoringDashboardConfig(settings: runtime.settings)
        var background: [any Service] = []
        let telemetry: any TelemetryQueries
        if let fake = peers.telemetry {
            telemetry = fake
        } else {
            let backend = try await EmbeddedBackend.install(routes: routes, runtime: runtime)
            telemetry = backend.queries
            background += backend.services
        }

        // The health matrix lists all nine: the dashboard's own row is its in-process readiness.
        let own = ScrapeTarget(name: member.name, baseURL: "http://127.0.0.1:\(runtime.settings.port)")
        let store = StatusStore(targets: peers.targets + [own], prometheusURL: peers.prometheus?.url,
                                pollInterval: config.pollInterval)
        await runtime.health.addComponent("poller") { await store.isPolling() }

        let flags = try ScenarioSettings(reader: runtime.settings.reader)
        let flagSource = flags.ofrepBaseURL.map { "OFREP \($0)" } ?? runtime.flagFile.path
        let scenarios = ScenarioStatusController(board: runtime.scenarios, source: flagSource)
        scenarios.addRoutes(to: routes)
        MonitoringDashboardController(store: store, telemetry: telemetry, scenarios: scenarios,
                                      pageLinks: config.pageLinks, quantilesFromPrometheus: peers.prometheus != nil,
                                      mutationGuard: try MutationGuard(settings: runtime.settings))
            .addRoutes(to: routes)
        TracePagesController(telemetry: telemetry, pageLinks: config.pageLinks,
                             refreshSeconds: config.pollInterval.seconds).addRoutes(to: routes)

        let health = runtime.health
        let poller = FleetPoller(scraper: FleetScraper(targets: peers.targets, transport: peers.transport),
                                 prometheus: peers.prometheus, store: store, logger: runtime.logger,
                                 own: { await ownScrape(own, health: health) })
        return [poller] + background
    }

    /// The dashboard's own row, read from its health monitor as /health/ready would answer.
    static func ownScrape(_ target: ScrapeTarget, health: HealthMonitor) async -> TargetScrape {
        let start = ContinuousClock.now
        let report = await health.readiness()
        let status = ServiceStatus(name: target.name, url: target.baseURL, ready: report.isReady, status: report.status,
                                   latencyMs: (ContinuousClock.now - start).seconds * 1000,
                                   dependencies: report.dependencies.mapValues(\.status), error: nil)
        return TargetScrape(target: target, readiness: status, metrics: nil)
    }
}
