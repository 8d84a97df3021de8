import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryTracing
import ServiceKit
import Testing
import Tracing

/// The fleet's tracing middleware leaves out exactly the OTLP receiver's three routes: an export
/// traced would be exported, forever. Any other route, `/v1/chat/completions` (llm-flan's, inside
/// every voice turn) included, keeps its server span, or the turn's trace loses its LLM branch.
@Suite("Telemetry: which routes are traced")
struct TelemetryUntracedRoutesTests {
    @Test("/v1/traces, /v1/metrics and /v1/logs make no span; every other route does")
    func onlyOTLPIsUntraced() async throws {
        let router = Router(context: FleetRequestContext.self)
        let routes = router.group().add(middleware: FleetTracingMiddleware())
        let paths = ["/v1/traces", "/v1/metrics", "/v1/logs", "/v1/chat/completions", "/v1/models", "/v1/tracesx",
                     "/api/traces"]
        for path in paths {
            routes.post(RouterPath(path)) { _, _ in "ok" }
        }
        let tracer = InMemoryTracer()
        let statuses = try await withTracer(tracer) { () async throws -> [HTTPResponse.Status] in
            try await Application(router: router).test(.router) { client in
                var statuses: [HTTPResponse.Status] = []
                for path in paths {
                    statuses.append(try await client.execute(uri: path, method: .post).status)
                }
                return statuses
            }
        }
        #expect(statuses == Array(repeating: .ok, count: paths.count))
        let traced = Set(tracer.finishedSpans.compactMap { span -> String? in
            guard case .string(let path) = span.attributes.get("url.path") else { return nil }
            return path
        })
        #expect(traced == ["/v1/chat/completions", "/v1/models", "/v1/tracesx", "/api/traces"], "\(traced)")
    }

    @Test("a page's periodic refresh (X-Fleet-Poll) arrives as an unsampled W3C trace; a traceparent it has is kept")
    func pollingIsUnsampled() async throws {
        let router = Router(context: FleetRequestContext.self)
        router.group().add(middleware: FleetTracingMiddleware()).get("/") { request, _ in
            request.headers[HTTPField.Name("traceparent")!] ?? "none"
        }
        let poll: HTTPFields = [FleetTracingMiddleware<FleetRequestContext>.pollHeader: "1"]
        try await Application(router: router).test(.router) { client in
            let first = String(buffer: try await client.execute(uri: "/", method: .get, headers: poll).body)
            let second = String(buffer: try await client.execute(uri: "/", method: .get, headers: poll).body)
            #expect(first.wholeMatch(of: /00-[0-9a-f]{32}-[0-9a-f]{16}-00/) != nil, "\(first)")
            #expect(first != second, "a fresh trace id each time")
            let opened = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(opened == "none", "a page a person opens is traced as it came")
            var kept = poll
            kept[HTTPField.Name("traceparent")!] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
            let given = String(buffer: try await client.execute(uri: "/", method: .get, headers: kept).body)
            #expect(given == "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        }
    }
}
