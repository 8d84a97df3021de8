public import FleetTelemetry
import Foundation
public import ServiceKit

/// What a service needs, once at start-up, to make the links of every page it serves: its own
/// published port (so links follow `--port-offset`) and the optional Jaeger and Grafana URLs.
///
/// The links themselves depend on the Host header of each request, so they are made per request
/// (`links(requestHost:)`); this is the part that does not change.
public struct PageLinkSettings: Sendable, Equatable {
    /// How far every published port is shifted from the fleet's usual ones.
    public var portOffset: Int
    /// JAEGER_UI_URL, nil when unset.
    public var jaeger: String?
    /// GRAFANA_URL, nil when unset.
    public var grafana: String?

    public init(portOffset: Int = 0, jaeger: String? = nil, grafana: String? = nil) {
        self.portOffset = portOffset
        self.jaeger = jaeger
        self.grafana = grafana
    }

    /// `member` listening on `port`: a port other than its container port (compose) is its host
    /// port shifted by the offset `audio-fleet up --port-offset` applied to all nine.
    public init(member: FleetMember, listeningOn port: Int, jaeger: String?, grafana: String?) {
        self.init(portOffset: port == member.containerPort ? 0 : port - member.hostPort,
                  jaeger: jaeger, grafana: grafana)
    }

    /// What `member`'s settings say: the port it listens on, JAEGER_UI_URL and GRAFANA_URL (empty
    /// = unset; anything but an http(s) URL stops start-up naming the variable). The three pages
    /// read their links this one way.
    public init(member: FleetMember, settings: ServiceSettings) throws {
        let jaeger = try settings.reader.parsed("jaeger.ui.url", default: "", PageLinks.parseExternalURL)
        let grafana = try settings.reader.parsed("grafana.url", default: "", PageLinks.parseExternalURL)
        self.init(member: member, listeningOn: settings.port,
                  jaeger: jaeger.isEmpty ? nil : jaeger, grafana: grafana.isEmpty ? nil : grafana)
    }

    /// The links for a page answering a request whose Host header is `requestHost`.
    public func links(requestHost: String?) -> PageLinks {
        PageLinks(requestHost: requestHost, portOffset: portOffset, jaeger: jaeger, grafana: grafana)
    }
}

extension PageLinks {
    /// Reads a JAEGER_UI_URL or GRAFANA_URL setting (for `reader.parsed`): "" when it is empty
    /// (unset), the URL without a trailing slash when it is http(s) with a host, nil otherwise —
    /// so a typo stops start-up naming the variable instead of making every page link nowhere.
    public static func parseExternalURL(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return "" }
        guard let url = URL(string: trimmed), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
              let host = url.host, !host.isEmpty else { return nil }
        return trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
    }
}
