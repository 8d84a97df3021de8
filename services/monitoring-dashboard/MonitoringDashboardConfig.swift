import FleetPages
import FleetTelemetry
import Foundation
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
    /// JAEGER_UI_URL (default unset): Jaeger's UI. When set, the header links to it and every
    /// trace on the pages links to Jaeger's view of it as well as to the dashboard's waterfall.
    var jaegerURL: String?
    /// GRAFANA_URL (default unset): Grafana's UI, linked from the header.
    var grafanaURL: String?
    /// The port offset and the two URLs above, for the links of each page.
    var pageLinks: PageLinkSettings

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        let seconds: (String) -> Duration? = { text in
            Double(text).flatMap { $0 >= 0.1 && $0 <= 3600 ? Duration.milliseconds(Int64($0 * 1000)) : nil }
        }
        pollInterval = try reader.parsed("monitor.poll.interval", default: .seconds(5), seconds)
        scrapeTimeout = try reader.parsed("monitor.scrape.timeout", default: .seconds(2), seconds)
        // Empty means unset, so `PROMETHEUS_URL=` in a .env file turns the link off.
        let url = try reader.parsed("prometheus.url", default: "") { text in
            guard !text.isEmpty else { return "" }
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                return nil
            }
            return text
        }
        prometheusURL = url.isEmpty ? nil : url
        let jaeger = try reader.parsed("jaeger.ui.url", default: "", PageLinks.parseExternalURL)
        let grafana = try reader.parsed("grafana.url", default: "", PageLinks.parseExternalURL)
        jaegerURL = jaeger.isEmpty ? nil : jaeger
        grafanaURL = grafana.isEmpty ? nil : grafana
        pageLinks = PageLinkSettings(member: .monitoringDashboard, listeningOn: settings.port,
                                     jaeger: jaegerURL, grafana: grafanaURL)
    }
}
