import FleetContracts
import Hummingbird
import ServiceKit

/// GET / (the page), GET /api/status (the same numbers as JSON) and POST /api/turns (the voice
/// bridge's report of each finished turn, for the page's turn feed).
struct MonitoringDashboardController: Sendable {
    let store: StatusStore
    /// Rendered once: the page only varies with the configuration.
    let page: [UInt8]

    /// A turn report is a few hundred bytes; transcripts are bounded by the guardrails' 1000 chars.
    static let turnReportLimit = 32 * 1024

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/", use: index)
        group.get("/api/status", use: status)
        group.post("/api/turns", use: reportTurn)
    }

    func index(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        BinaryBody(page, contentType: MediaType.html, headers: [.cacheControl: "no-cache"])
    }

    /// The last poll's status; polling happens in the background, so this never waits on the fleet.
    func status(request: Request, context: FleetRequestContext) async throws -> EditedResponse<FleetStatus> {
        EditedResponse(headers: [.cacheControl: "no-store"], response: await store.latest())
    }

    func reportTurn(request: Request, context: FleetRequestContext) async throws -> EditedResponse<[String: Bool]> {
        let turn = try await request.decodeJSON(TurnReport.self, limit: Self.turnReportLimit)
        guard !turn.speaker.isEmpty, !turn.outcome.isEmpty else {
            throw FleetError.badRequest("A turn report needs a speaker and an outcome.")
        }
        await store.add(turn)
        return EditedResponse(status: .accepted, response: ["accepted": true])
    }
}
