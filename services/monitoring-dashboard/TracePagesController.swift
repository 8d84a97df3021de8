import FleetPages
import Foundation
import Hummingbird
import ServiceKit

/// GET /traces (the recent traces) and GET /traces/{traceId} (one trace's waterfall): the pages
/// over the embedded telemetry store. They answer HTML, errors included (a malformed id is a 400
/// page, an unknown one a 404 page); the JSON of the same data is the backend's /api/traces.
struct TracePagesController: Sendable {
    let telemetry: any TelemetryQueries
    let pageLinks: PageLinkSettings
    /// The trace list refreshes at the poll interval, as the dashboard does.
    let refreshSeconds: Double

    /// A service name is short; anything longer is not one.
    static let maxServiceLength = 100

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/traces", use: list)
        group.get("/traces/{traceId}", use: waterfall)
    }

    func list(request: Request, context: FleetRequestContext) async throws -> Response {
        let links = pageLinks.links(requestHost: request.head.authority)
        let service = request.uri.queryParameters.get("service").flatMap { $0.isEmpty ? nil : String($0) }
        if let service, service.count > Self.maxServiceLength {
            return .page(MessagePage.render(title: "Not a service name",
                                            message: "A service name has at most \(Self.maxServiceLength) characters.",
                                            links: links), status: .badRequest)
        }
        var hidden = 0
        let traces = await capture {
            let found = try await telemetry.recentTraces(limit: TraceListPage.limit, service: service)
            // Unfiltered, the dashboard's own page views (one a refresh) would bury the voice turns.
            guard service == nil else { return found }
            let shown = found.filter { !$0.isDashboardOwn }
            hidden = found.count - shown.count
            return shown
        }
        return .page(TraceListPage.render(traces, service: service, hiddenOwn: hidden, links: links,
                                          refreshSeconds: refreshSeconds))
    }

    func waterfall(request: Request, context: FleetRequestContext) async throws -> Response {
        let links = pageLinks.links(requestHost: request.head.authority)
        let raw = context.parameters.get("traceId") ?? ""
        guard let traceId = TraceIdentity.normalized(raw) else {
            return .page(MessagePage.render(title: "Not a trace id",
                                            message: "'\(raw.prefix(80))' is not a trace id: one is 32 hexadecimal digits, not all zero.",
                                            links: links), status: .badRequest)
        }
        let trace: TraceDetail?
        do {
            trace = try await telemetry.trace(id: traceId)
        } catch {
            return .page(MessagePage.render(title: "The traces could not be read",
                                            message: "The telemetry store answered: \(error)", links: links),
                         status: .serviceUnavailable)
        }
        guard let trace, !trace.spans.isEmpty || !trace.logs.isEmpty else {
            return .page(MessagePage.render(title: "No such trace",
                                            message: "No span of trace \(traceId) is kept here: it has not arrived yet, "
                                                + "was pruned, or went to another backend.", links: links),
                         status: .notFound)
        }
        return .page(TracePage.render(TraceWaterfall(trace), links: links))
    }
}
