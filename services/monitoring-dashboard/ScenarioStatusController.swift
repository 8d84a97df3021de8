import FleetContracts
import FleetTelemetry
import Hummingbird
import ServiceKit

/// GET /api/scenarios: the fault scenarios as this dashboard's own flag source sees them — the
/// same flags every service reads, within 2 s of a change — in the testing-ui's /scenarios shape.
/// The page draws the active ones; scripts and tests read it to know what the fleet is running.
struct ScenarioStatusController: Sendable {
    let board: ScenarioBoard
    /// Where the flags come from: the flag file's path, or flagd's OFREP URL.
    let source: String

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/api/scenarios", use: scenarios)
    }

    func scenarios(request: Request, context: FleetRequestContext) async throws -> EditedResponse<ScenarioList> {
        EditedResponse(headers: [.cacheControl: "no-store"], response: current)
    }

    var current: ScenarioList {
        ScenarioList(source: source, stateOf: "process",
                     scenarios: board.snapshot.map { ScenarioState($0.scenario, value: $0.value) })
    }
}
