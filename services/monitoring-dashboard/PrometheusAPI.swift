import FleetTelemetry
import Foundation
import ServiceKit

/// Prometheus, as the dashboard uses it: one line of the page says whether it is up, and its HTTP
/// API answers the quantiles — over a recent window, which the services' counters since start
/// cannot give.
public struct PrometheusAPI: Sendable {
    public let url: String
    let transport: any ScrapeTransport

    /// The fleet's metrics reach Prometheus under this prefix in both modes: the OTel Collector's
    /// exporter adds it in compose, the relabelling in config/prometheus.native.yml natively. (The
    /// unprefixed fleet-direct copy exists in compose only, until the /metrics migration ends.)
    static let metricPrefix = "audio_orchestrator_"
    /// The rate window of the quantile queries.
    static let window = "5m"
    /// The peer name in errors.
    static let name = "prometheus"

    public init(url: String, transport: any ScrapeTransport) {
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.transport = transport
    }

    /// Prometheus is shown, never depended on: its state only colours one line of the page.
    public func status() async -> PrometheusStatus {
        let reachable = (try? await transport.get(url + "/-/ready"))?.status == 200
        MetricCatalog.dependencyHealth.set(reachable ? 1 : 0, ["dependency": Self.name])
        return PrometheusStatus(url: url, reachable: reachable)
    }

    /// Every quantile of `FleetQuantile.all`, absent when there was nothing in the window. One
    /// failed query fails them all, so the numbers of one poll always share one source.
    public func quantiles() async throws -> [FleetQuantile: Double] {
        try await withThrowingTaskGroup(of: (FleetQuantile, Double?).self) { group in
            for quantile in FleetQuantile.all {
                group.addTask {
                    (quantile, try await query(quantile.promQL(prefix: Self.metricPrefix, window: Self.window)))
                }
            }
            var values: [FleetQuantile: Double] = [:]
            for try await (quantile, value) in group { values[quantile] = value }
            return values
        }
    }

    /// One instant query answering a single number; nil when no series matched, or when the value
    /// is not a finite number (`NaN` is what `histogram_quantile` gives for an empty window).
    func query(_ promQL: String) async throws -> Double? {
        let encoded = promQL.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? promQL
        let reply: (status: Int, body: [UInt8])
        do {
            reply = try await transport.get(url + "/api/v1/query?query=" + encoded)
        } catch {
            throw FleetError.downstream(.unavailable, peer: Self.name, String(describing: error))
        }
        guard reply.status == 200 else {
            throw FleetError.downstream(.badResponse, peer: Self.name, "/api/v1/query answered \(reply.status)")
        }
        // Prometheus's own format, camelCase by its spec (`resultType`): not the fleet's decoder.
        guard let answer = try? JSONDecoder().decode(QueryAnswer.self, from: Data(reply.body)),
              answer.status == "success", let vector = answer.data, vector.resultType == "vector" else {
            throw FleetError.downstream(.badResponse, peer: Self.name, "/api/v1/query did not answer an instant vector")
        }
        return vector.result.first.map(\.value).flatMap { $0.isFinite ? $0 : nil }
    }

    /// A query parameter's value may hold only unreserved characters as they are (RFC 3986); a
    /// PromQL expression has spaces, quotes, braces and `=`.
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

/// `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.1,"0.42"]}]}}`
struct QueryAnswer: Decodable {
    struct Vector: Decodable {
        let resultType: String
        let result: [Sample]
    }

    struct Sample: Decodable {
        let value: Double

        enum CodingKeys: CodingKey { case value }

        /// `[timestamp, "value"]`: the value is a string, so it can be `NaN` or `+Inf`.
        init(from decoder: any Decoder) throws {
            var pair = try decoder.container(keyedBy: CodingKeys.self).nestedUnkeyedContainer(forKey: .value)
            _ = try pair.decode(Double.self)
            let text = try pair.decode(String.self)
            guard let value = PrometheusText.parseValue(text) else {
                throw DecodingError.dataCorruptedError(in: pair, debugDescription: "'\(text)' is not a sample value")
            }
            self.value = value
        }
    }

    let status: String
    /// Absent from an error answer.
    let data: Vector?
}
