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
public struct FleetTracingMiddleware<Context: RequestContext>: RouterMiddleware {
    let tracing = TracingMiddleware<Context>()

    /// OTLP/HTTP's signal routes.
    public static var otlpPaths: Set<String> { ["/v1/traces", "/v1/metrics", "/v1/logs"] }

    /// The header the pages' scripts send on their periodic refreshes.
    public static var pollHeader: HTTPField.Name { HTTPField.Name("X-Fleet-Poll")! }

    public init() {}

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.otlpPaths.contains(request.uri.path) || request.headers[Self.pollHeader] != nil {
            return try await next(request, context)
        }
        return try await tracing.handle(request, context: context, next: next)
    }
}
