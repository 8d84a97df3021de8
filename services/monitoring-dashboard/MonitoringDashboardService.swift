public import FleetTelemetry
public import Hummingbird
public import ServiceKit
public import ServiceLifecycle

/// monitoring-dashboard: a live view of the fleet read straight from each service's
/// /health/ready and /metrics, with the quantiles from Prometheus when one is configured (the
/// original ran PromQL against Prometheus from Streamlit).
///
/// It is a viewer, so nothing it watches is a readiness dependency: it stays ready while the
/// services are down and shows them as down. Its one component is the poller itself.
public enum MonitoringDashboardService: FleetService {
    public static let member = FleetMember.monitoringDashboard

    /// What the dashboard reads, and how.
    public struct Peers: Sendable {
        /// Every other service, polled for /health/ready and /metrics.
        public var targets: [ScrapeTarget]
        /// How the services are read: HTTP in a process, canned replies in a test.
        public var transport: any ScrapeTransport
        /// Prometheus when PROMETHEUS_URL is set: its readiness is shown, and its HTTP API answers
        /// the quantiles.
        public var prometheus: PrometheusAPI?

        public init(targets: [ScrapeTarget], transport: any ScrapeTransport, prometheus: PrometheusAPI? = nil) {
            self.targets = targets
            self.transport = transport
            self.prometheus = prometheus
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
        let store = StatusStore(targets: peers.targets, prometheusURL: peers.prometheus?.url,
                                pollInterval: config.pollInterval)
        await runtime.health.addComponent("poller") { await store.isPolling() }

        let page = DashboardPage.render(.init(quantilesFromPrometheus: peers.prometheus != nil))
        MonitoringDashboardController(store: store, page: Array(page.utf8)).addRoutes(to: routes)
        let flags = try ScenarioSettings(reader: runtime.settings.reader)
        let flagSource = flags.ofrepBaseURL.map { "OFREP \($0)" } ?? runtime.flagFile.path
        ScenarioStatusController(board: runtime.scenarios, source: flagSource).addRoutes(to: routes)
        let poller = FleetPoller(scraper: FleetScraper(targets: peers.targets, transport: peers.transport),
                                 prometheus: peers.prometheus, store: store, logger: runtime.logger)
        return [poller]
    }
}
