import FleetContracts
import FleetPages
import Foundation
import Hummingbird
import ServiceKit

/// GET / (the page), GET /api/status and GET /api/history (what the page shows, as JSON) and
/// POST /api/turns (the voice bridge's report of each finished turn, for the page's turn feed).
struct MonitoringDashboardController: Sendable {
    let store: StatusStore
    let telemetry: any TelemetryQueries
    let scenarios: ScenarioStatusController
    let pageLinks: PageLinkSettings
    /// PROMETHEUS_URL is set.
    let quantilesFromPrometheus: Bool
    /// Turn reports are refused cross-site, and without FLEET_API_TOKEN beyond loopback.
    var mutationGuard = MutationGuard.loopbackDefault

    /// A turn report is a few hundred bytes; transcripts are bounded by the guardrails' 1000 chars.
    static let turnReportLimit = 32 * 1024
    /// How many traces the page lists under the turns.
    static let recentTraceCount = 10

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/", use: index)
        group.get("/api/status", use: status)
        group.get("/api/history", use: history)
        group.guarded(by: mutationGuard).post("/api/turns", use: reportTurn)
    }

    /// The page, rendered from the last poll and the telemetry store; a store that cannot be read
    /// leaves its parts saying so, never the page blank.
    func index(request: Request, context: FleetRequestContext) async throws -> Response {
        let now = Date()
        async let edges = capture { try await telemetry.serviceMap(since: now - TrafficRecorder.window.seconds) }
        async let traces = capture {
            try await telemetry.recentTraces(limit: TraceListPage.limit, service: nil)
                .filter(\.crossesServices).prefix(Self.recentTraceCount).map { $0 }
        }
        async let telemetryStatus = telemetry.status()
        let inputs = DashboardPage.Inputs(
            status: await store.latest(), history: await store.history(at: now), scenarios: scenarios.current,
            edges: await edges, traces: await traces, telemetry: await telemetryStatus,
            links: pageLinks.links(requestHost: request.head.authority),
            quantilesFromPrometheus: quantilesFromPrometheus, now: now)
        return .page(DashboardPage.render(inputs))
    }

    /// The last poll's status; polling happens in the background, so this never waits on the fleet.
    func status(request: Request, context: FleetRequestContext) async throws -> EditedResponse<FleetStatus> {
        EditedResponse(headers: [.cacheControl: "no-store"], response: await store.latest())
    }

    /// What the charts draw: each service's traffic, one point per poll, over the last 15 minutes.
    func history(request: Request, context: FleetRequestContext) async throws -> EditedResponse<TrafficHistory> {
        EditedResponse(headers: [.cacheControl: "no-store"], response: await store.history())
    }

    func reportTurn(request: Request, context: FleetRequestContext) async throws -> EditedResponse<[String: Bool]> {
        let turn = try await request.decodeJSON(TurnReport.self, limit: Self.turnReportLimit)
        guard !turn.speaker.isEmpty, !turn.outcome.isEmpty else {
            throw FleetError.badRequest("A turn report needs a speaker and an outcome.")
        }
        // Refused reports count in http_server_errors_total{error_type="unprocessable"}.
        try turn.validate()
        // The bridge reports redacted text already; redacting again keeps any other sender's
        // personal data off the page and /api/status too.
        var shown = turn
        shown.transcript = PIIRedactor.shared.redacted(turn.transcript)
        shown.response = PIIRedactor.shared.redacted(turn.response)
        shown.speaker = PIIRedactor.shared.redacted(turn.speaker)
        await store.add(shown)
        return EditedResponse(status: .accepted, response: ["accepted": true])
    }
}
