import FleetContracts
import FleetTelemetry
import Hummingbird
import ServiceKit

/// GET /scenarios, PUT /scenarios/{key} and POST /scenarios/reset: the fault scenarios, switched
/// by writing the one flag file every service reads (natively by watching it, in compose through
/// flagd, which serves the same file). A change is in effect everywhere within 2 s.
///
/// Every change is checked here before the file is touched, and the file checks it again as it
/// writes, so bad input answers a 4xx naming the flag and leaves the file as it was.
struct ScenarioController: Sendable {
    let flagFile: FlagFile
    let board: ScenarioBoard
    /// Where the flags come from, as GET /scenarios reports it.
    let source: String
    /// Scenario switches are refused cross-site, and without FLEET_API_TOKEN beyond loopback.
    var mutationGuard = MutationGuard.loopbackDefault

    /// `{"enabled": true, "value": "audio-processor"}` is 45 bytes.
    static let bodyLimit = 4 * 1024

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/scenarios", use: list)
        let guarded = group.guarded(by: mutationGuard)
        guarded.put("/scenarios/:key", use: change)
        guarded.post("/scenarios/reset", use: reset)
    }

    /// Every scenario as this process runs it now, and what the flag file already says where the
    /// services have not caught up yet (so a page does not flip back for the 2 s they take).
    func list(request: Request, context: FleetRequestContext) async throws -> EditedResponse<ScenarioList> {
        let definitions = try? await flagFile.read()
        let stored = definitions.map(ScenarioEdit.storedOnValues) ?? [:]
        let defined = (try? definitions?.resolved()) ?? [:]
        let scenarios = board.snapshot.map { scenario, value in
            ScenarioState(scenario, value: value, onValue: stored[scenario.key], pending: defined[scenario.key])
        }
        return EditedResponse(headers: [.cacheControl: "no-store"],
                              response: ScenarioList(source: source, stateOf: "process", scenarios: scenarios))
    }

    /// Switches one scenario on (at the body's value, or its stored `on` value) or off, and
    /// answers what the file now defines.
    func change(request: Request, context: FleetRequestContext) async throws -> ScenarioList {
        let key = try context.parameters.require("key")
        let scenario = try ScenarioEdit.scenario(named: key)
        let change = try await decode(request, for: scenario)
        let value = try ScenarioEdit.validatedValue(change, for: scenario)
        let definitions = try await ScenarioEdit.write(to: flagFile, flag: key) { definitions throws(FlagError) in
            if change.enabled {
                try definitions.switchOn(key, value: value)
            } else {
                try definitions.switchOff(key)
            }
        }
        return try ScenarioEdit.list(of: definitions, source: source)
    }

    /// Switches every scenario off.
    func reset(request: Request, context: FleetRequestContext) async throws -> ScenarioList {
        let definitions = try await ScenarioEdit.write(to: flagFile, flag: "file") { definitions throws(FlagError) in
            definitions.switchAllOff()
        }
        return try ScenarioEdit.list(of: definitions, source: source)
    }

    /// The body, or a 400 that names the flag and says what the body should look like.
    private func decode(_ request: Request, for scenario: Scenario) async throws -> ScenarioChange {
        do {
            return try await request.decodeJSON(ScenarioChange.self, limit: Self.bodyLimit)
        } catch let error as FleetError where error.code == .badRequest {
            ScenarioEdit.count(scenario.key, "invalid_value")
            let accepts = ScenarioState(scenario, value: scenario.offValue).accepts
            throw FleetError.badRequest("""
                Flag '\(scenario.key)': \(error.message). Send {"enabled": true or false, "value": \(accepts) (optional)}.
                """)
        }
    }
}
