import Hummingbird
import ServiceKit
import ServiceLifecycle

/// monitoring-dashboard: a live view of the fleet read straight from each service's
/// /health/ready and /metrics (the original ran PromQL against Prometheus from Streamlit).
///
/// It is a viewer, so nothing it watches is a readiness dependency: it stays ready while the
/// services are down and shows them as down. Its one component is the poller itself.
public enum MonitoringDashboardService: FleetService {
    public static let member = FleetMember.monitoringDashboard

    public static func build(routes: RouterGroup<BasicRequestContext>, runtime: ServiceRuntime) async throws -> [any Service] {
        let config = try MonitoringDashboardConfig(settings: runtime.settings)
        let targets = FleetMember.allCases.filter { $0 != member }.map { peer in
            ScrapeTarget(name: peer.name, baseURL: runtime.settings.peerURLs[peer] ?? peer.defaultURL)
        }
        let store = StatusStore(targets: targets, prometheusURL: config.prometheusURL, pollInterval: config.pollInterval)
        await runtime.health.addComponent("poller") { await store.isPolling() }

        MonitoringDashboardController(store: store).addRoutes(to: routes)
        let poller = FleetPoller(scraper: FleetScraper(targets: targets, prometheusURL: config.prometheusURL),
                                 store: store, timeout: config.scrapeTimeout, logger: runtime.logger)
        return [poller]
    }
}
