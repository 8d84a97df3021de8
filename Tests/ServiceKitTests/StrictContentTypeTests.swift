import CoreMetrics
import FleetTelemetry
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import ServiceKit
import Testing

/// `Request.decodeJSON` reads JSON only when the request says it is JSON: a form post or
/// `text/plain` (what a cross-site form or a careless client sends) is a 415, counted.
@Suite("Strict JSON content types")
struct StrictContentTypeTests {
    static let body = ByteBuffer(string: #"{"text":"hi"}"#)

    func send(_ contentType: String?, registry: PrometheusCollectorRegistry = .init()) async throws
        -> (status: HTTPResponse.Status, code: String?) {
        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            let settings = try ServiceSettings.forTesting(member: .guardrails)
            let built = try await FleetApplication.build(EchoService.self, runtime: ServiceRuntime(member: .guardrails, settings: settings),
                                                         registry: registry, peers: .init(optional: DownPeer()))
            let headers: HTTPFields = contentType.map { [.contentType: $0] } ?? [:]
            return try await built.application.test(.router) { client in
                try await client.execute(uri: "/echo", method: .post, headers: headers, body: Self.body) { response in
                    let json = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                    return (response.status, (json?["error"] as? [String: Any])?["code"] as? String)
                }
            }
        }
    }

    @Test("JSON media types are read", arguments: [
        "application/json", "application/json; charset=utf-8", "Application/JSON", "application/problem+json",
    ])
    func jsonAccepted(contentType: String) async throws {
        #expect(try await send(contentType).status == .ok)
    }

    @Test("anything else is 415 unsupported_media_type", arguments: [
        "text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/jsonx", "text/json+html", "",
    ])
    func othersRefused(contentType: String) async throws {
        let answer = try await send(contentType)
        #expect(answer.status == .unsupportedMediaType)
        #expect(answer.code == "unsupported_media_type")
    }

    @Test("a body without a content type is 415 and counted")
    func missingTypeRefusedAndCounted() async throws {
        let registry = PrometheusCollectorRegistry()
        let answer = try await send(nil, registry: registry)
        #expect(answer.status == .unsupportedMediaType)
        #expect(registry.value(of: #"http_server_errors_total{http_route="/echo",error_type="unsupported_media_type"}"#) == 1)
    }
}
