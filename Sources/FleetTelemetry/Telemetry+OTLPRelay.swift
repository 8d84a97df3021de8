#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import OTel

/// How the OTLP exporters reach the collector: through the relays (see `OTLPRelay`), and why the
/// `otlpBlackhole` scenario cannot act on the signals that are not relayed.
struct OTLPRouting {
    var relays: [OTLPRelay] = []
    /// Nil when every exported signal goes through a relay.
    var unavailable: String?
}

extension TelemetryConfiguration {
    /// The URL a signal's exporter sends to, as swift-otel resolves it: the configured endpoint, or
    /// swift-otel's default for the protocol. Nil when the signal is not exported over OTLP.
    func otlpEndpoint(_ signal: Signal) -> String? {
        let export = switch signal {
        case .traces: traces
        case .metrics: metrics
        case .logs: logs
        }
        guard (export.exporter ?? "otlp") == "otlp" else { return nil }
        if let endpoint = export.endpoint { return endpoint }
        return export.protocol == "grpc" ? "http://localhost:4317" : "http://localhost:4318/v1/\(signal.rawValue)"
    }

    /// Binds a relay per collector address (usually one for all three signals) and points each
    /// OTLP exporter of `otel` at its relay, path and all. An https endpoint is left as it is: the
    /// relay copies plain TCP, and the exporter's TLS session must reach the collector itself.
    func routeThroughRelays(_ otel: inout OTel.Configuration) async throws -> OTLPRouting {
        let exporters: [(Signal, WritableKeyPath<OTel.Configuration, OTel.Configuration.OTLPExporterConfiguration>)] = [
            (.traces, \.traces.otlpExporter), (.metrics, \.metrics.otlpExporter), (.logs, \.logs.otlpExporter),
        ]
        var relays: [OTLPRelay.Upstream: OTLPRelay] = [:]
        var notRelayed: [String] = []
        for (signal, exporter) in exporters {
            guard let endpoint = otlpEndpoint(signal), var url = URLComponents(string: endpoint),
                  let host = url.host, !host.isEmpty
            else { continue }
            guard url.scheme == "http" else {
                notRelayed.append("\(signal.rawValue) go to \(endpoint) over TLS")
                continue
            }
            let upstream = OTLPRelay.Upstream(host: host, port: url.port ?? 80)
            let relay: OTLPRelay
            if let bound = relays[upstream] {
                relay = bound
            } else {
                relay = try await OTLPRelay.bind(forwardingTo: upstream)
                relays[upstream] = relay
            }
            url.host = "127.0.0.1"
            url.port = relay.port
            // Setting the endpoint makes swift-otel use it as given, as `otelConfiguration` does.
            otel[keyPath: exporter].endpoint = url.string ?? endpoint
        }
        if relays.isEmpty && notRelayed.isEmpty {
            return OTLPRouting(unavailable: "no signal is exported over OTLP (every OTEL_*_EXPORTER is none or console)")
        }
        return OTLPRouting(
            relays: Array(relays.values),
            unavailable: notRelayed.isEmpty ? nil
                : notRelayed.joined(separator: "; ") + " (the OTLP relay forwards plain TCP only, so it cannot black-hole them)")
    }

    /// Called once `routeThroughRelays` has routed some signal: swift-otel re-reads the *process*
    /// environment when it makes the exporters, and an endpoint variable there would replace the
    /// relay's address with the collector's. Those variables have
    /// already been read (the reader puts the process environment first, and `otelConfiguration`
    /// carries every endpoint resolved), so they are taken out of the process environment here —
    /// the one change telemetry makes to it, once, during bootstrap.
    static func handEndpointVariablesToRelays() {
        for variable in endpointVariables { unsetenv(variable) }
    }
}
