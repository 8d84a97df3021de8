import FleetTelemetry
import Foundation

/// Where a browser finds the three pages and, when configured, Jaeger and Grafana.
///
/// The services call each other by addresses a browser may not reach (`http://discord:8001` in
/// compose), so a page link is made from the host the browser itself used (the request's Host
/// header) and the page's published port: the same host ports in compose and natively.
public struct PageLinks: Sendable, Equatable {
    public var bridge: String
    public var testingUI: String
    public var dashboard: String
    /// JAEGER_UI_URL: Jaeger's UI, whose `/trace/<id>` shows one trace.
    public var jaeger: String?
    /// GRAFANA_URL: Grafana's UI.
    public var grafana: String?

    public init(bridge: String, testingUI: String, dashboard: String, jaeger: String? = nil, grafana: String? = nil) {
        self.bridge = bridge
        self.testingUI = testingUI
        self.dashboard = dashboard
        self.jaeger = jaeger
        self.grafana = grafana
    }

    /// Links for a page served to a browser that asked for `requestHost` (`localhost:8080`, say).
    /// `portOffset` shifts every published port, as `audio-fleet up --port-offset` does.
    public init(requestHost: String?, portOffset: Int = 0, jaeger: String? = nil, grafana: String? = nil) {
        let host = Self.hostname(of: requestHost) ?? "127.0.0.1"
        func url(_ member: FleetMember) -> String { "http://\(host):\(member.hostPort + portOffset)" }
        self.init(bridge: url(.discord), testingUI: url(.testingUI), dashboard: url(.monitoringDashboard),
                  jaeger: jaeger, grafana: grafana)
    }

    /// Jaeger's page of one trace when Jaeger is configured, else the monitoring dashboard's.
    public func trace(_ traceID: String) -> String {
        jaegerTrace(traceID) ?? waterfall(traceID)
    }

    /// The monitoring dashboard's waterfall of one trace, whether or not Jaeger is configured.
    public func waterfall(_ traceID: String) -> String {
        "\(dashboard)/traces/\(traceID)"
    }

    /// Jaeger's page of one trace; nil when JAEGER_UI_URL is unset.
    public func jaegerTrace(_ traceID: String) -> String? {
        jaeger.map { "\($0.trimmingSuffix("/"))/trace/\(traceID)" }
    }

    /// The host part of a Host header (`[::1]:8080` -> `[::1]`), or nil when it is not a plain
    /// host name or address: a forged header must not turn the links into someone else's site.
    static func hostname(of header: String?) -> String? {
        guard let header, !header.isEmpty, header.count <= 255 else { return nil }
        let host: Substring
        let port: Substring
        if header.hasPrefix("[") {
            guard let close = header.firstIndex(of: "]") else { return nil }
            host = header[...close]
            port = header[header.index(after: close)...]
        } else {
            let parts = header.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            port = parts.count > 1 ? Substring(":" + parts[1]) : ""
        }
        // Nothing after the host but an optional `:digits`.
        guard port.isEmpty || (port.first == ":" && port.count > 1 && port.dropFirst().allSatisfy(\.isASCIIDigit)) else {
            return nil
        }
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: ".-[]:"))
        guard !host.isEmpty, host.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }) else { return nil }
        return String(host)
    }
}

/// Port digits of a Host header: ASCII only (`isNumber` alone accepts other scripts' digits).
extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
