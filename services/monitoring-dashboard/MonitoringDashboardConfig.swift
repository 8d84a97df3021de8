import FleetPages
import FleetTelemetry
import ServiceKit

/// monitoring-dashboard's settings.
struct MonitoringDashboardConfig: Sendable {
    /// MONITOR_POLL_INTERVAL (seconds, default 5): how often every service is polled; the page
    /// refreshes at the same pace.
    var pollInterval: Duration
    /// MONITOR_SCRAPE_TIMEOUT (seconds, default 2): how long one service may take to answer a poll
    /// before it is shown as unreachable.
    var scrapeTimeout: Duration
    /// PROMETHEUS_URL (default unset): when set, the page says whether Prometheus is up and links
    /// to it, and the quantiles come from its HTTP API. The dashboard never depends on it: when it
    /// does not answer, the quantiles are estimated from the services' own /metrics.
    var prometheusURL: String?
    /// The port offset, JAEGER_UI_URL and GRAFANA_URL (default unset), for the links of each
    /// page: with Jaeger's URL, every trace on the pages links to Jaeger's view of it as well as
    /// to the dashboard's waterfall; both are linked from the header.
    var pageLinks: PageLinkSettings

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        let seconds: (String) -> Duration? = { text in
            Double(text).flatMap { $0 >= 0.1 && $0 <= 3600 ? Duration.milliseconds(Int64($0 * 1000)) : nil }
        }
        pollInterval = try reader.parsed("monitor.poll.interval", default: .seconds(5), seconds)
        scrapeTimeout = try reader.parsed("monitor.scrape.timeout", default: .seconds(2), seconds)
        // Empty means unset, so `PROMETHEUS_URL=` in a .env file turns the link off.
        let url = try reader.parsed("prometheus.url", default: "", PageLinks.parseExternalURL)
        prometheusURL = url.isEmpty ? nil : url
        pageLinks = try PageLinkSettings(member: .monitoringDashboard, settings: settings)
    }
}
