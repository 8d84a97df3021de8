import FleetPages
import FleetTelemetry
import ServiceKit

extension VoicePage {
    /// The bridge page's links to its two sibling pages, Jaeger and Grafana: JAEGER_UI_URL and
    /// GRAFANA_URL (empty = unset; anything but an http(s) URL stops start-up naming the
    /// variable) and the port offset the bridge runs at. Read once, into DiscordConfig.
    static func linkSettings(_ settings: ServiceSettings) throws -> PageLinkSettings {
        let jaeger = try settings.reader.parsed("jaeger.ui.url", default: "", PageLinks.parseExternalURL)
        let grafana = try settings.reader.parsed("grafana.url", default: "", PageLinks.parseExternalURL)
        return PageLinkSettings(member: .discord, listeningOn: settings.port,
                                jaeger: jaeger.isEmpty ? nil : jaeger, grafana: grafana.isEmpty ? nil : grafana)
    }
}
