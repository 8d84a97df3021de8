public import HTTPTypes
public import Hummingbird

/// Hummingbird's TracingMiddleware for every request but two kinds, which are measured (by
/// FleetHTTPMiddleware) and not traced:
/// - the OTLP/HTTP receiver's (`/v1/traces`, `/v1/metrics`, `/v1/logs`, which the monitoring
///   dashboard serves as the fleet's embedded backend): a span for each export received would
///   itself be exported, and every export would make the next one. Receivers in the collector and
///   Jaeger do not trace their own ingestion either.
/// - a page's own polling, marked with the `X-Fleet-Poll` header by the pages' scripts: an open
///   tab refreshing every few seconds would otherwise start a root trace each time and bury the
///   voice turns, as the dashboard's polling of the fleet would (it uses the untraced probe client).
///   A page a person opens, and every button they press, is traced.
///
/// Exactly those three OTLP paths: other `/v1/` routes (llm-flan's `/v1/chat/completions`) are
/// ordinary calls inside a voice turn and must keep their server span.
///
/// A poll is not simply left untraced: what its handler calls (testing-ui's load card asks the
/// voice bridge) would then start root traces of its own, from the peer client's spans and
/// AsyncHTTPClient's. Instead it arrives as a W3C trace that its sender chose not to sample
/// (`traceparent` flags `00`): the parent-based sampler (OTEL_TRACES_SAMPLER's default) records
/// none of its spans, here or in the peers the unsampled flag propagates to.
public struct FleetTracingMiddleware<Context: RequestContext>: RouterMiddleware {
    let tracing = TracingMiddleware<Context>()

    /// OTLP/HTTP's signal routes.
    public static var otlpPaths: Set<String> { ["/v1/traces", "/v1/metrics", "/v1/logs"] }

    /// The header the pages' scripts send on their periodic refreshes.
    public static var pollHeader: HTTPField.Name { HTTPField.Name("X-Fleet-Poll")! }

    public init() {}

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.otlpPaths.contains(request.uri.path) {
            return try await next(request, context)
        }
        if request.headers[Self.pollHeader] != nil, request.headers[Self.traceparent] == nil {
            var head = request.head
            head.headerFields[Self.traceparent] = Self.unsampledTraceparent()
            return try await tracing.handle(Request(head: head, body: request.body), context: context, next: next)
        }
        return try await tracing.handle(request, context: context, next: next)
    }

    static var traceparent: HTTPField.Name { HTTPField.Name("traceparent")! }

    /// `00-<trace id>-<parent id>-00`: a fresh trace, not sampled (W3C Trace Context, level 1).
    static func unsampledTraceparent() -> String {
        var random = SystemRandomNumberGenerator()
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        // All-zero ids are invalid; a random 64-bit half is never zero in practice, but make sure.
        let parent = random.next() | 1
        return "00-\(hex(random.next()))\(hex(random.next() | 1))-\(hex(parent))-00"
    }
}
