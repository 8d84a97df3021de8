import FleetContracts
import Hummingbird
import ServiceKit

/// GET / (the page), GET /api/status (the same numbers as JSON) and POST /api/turns (the voice
/// bridge's report of each finished turn, for the page's turn feed).
struct MonitoringDashboardController: Sendable {
    let store: StatusStore

    /// A turn report is a few hundred bytes; transcripts are bounded by the guardrails' 1000 chars.
    static let turnReportLimit = 32 * 1024

    func addRoutes(to group: RouterGroup<BasicRequestContext>) {
        group.get("/", use: page)
        group.get("/api/status", use: status)
        group.post("/api/turns", use: reportTurn)
    }

    func page(request: Request, context: BasicRequestContext) async throws -> Response {
        Response.bytes(Array(DashboardPage.html.utf8), contentType: "text/html; charset=utf-8",
                       headers: [.cacheControl: "no-cache"])
    }

    /// The last poll's status; polling happens in the background, so this never waits on the fleet.
    func status(request: Request, context: BasicRequestContext) async throws -> Response {
        try Response.json(await store.latest(), headers: [.cacheControl: "no-store"])
    }

    func reportTurn(request: Request, context: BasicRequestContext) async throws -> Response {
        let turn = try await request.decodeJSON(TurnReport.self, limit: Self.turnReportLimit)
        guard !turn.speaker.isEmpty, !turn.outcome.isEmpty else {
            throw FleetError.badRequest("A turn report needs a speaker and an outcome.")
        }
        await store.add(turn)
        return try Response.json(["accepted": true], status: .accepted)
    }
}
