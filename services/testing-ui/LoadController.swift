import FleetContracts
import FleetTelemetry
import Hummingbird
import ServiceKit

/// GET /load and PUT /load: the voice bridge's speaker count, read and set from the page. The
/// bridge owns the load; this passes the change on, after checking it, so a bad number is a 400
/// here rather than the bridge's 400 relayed as a 502.
struct LoadController: Sendable {
    let bridge: any LoadControl
    /// The load switch is refused cross-site, and without FLEET_API_TOKEN beyond loopback.
    var mutationGuard = MutationGuard.loopbackDefault

    /// `{"speakers": 200}` is 17 bytes.
    static let bodyLimit = 1024

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/load", use: current)
        group.guarded(by: mutationGuard).put("/load", use: change)
    }

    func current(request: Request, context: FleetRequestContext) async throws -> EditedResponse<VoiceLoad> {
        EditedResponse(headers: [.cacheControl: "no-store"], response: try await bridge.currentLoad())
    }

    func change(request: Request, context: FleetRequestContext) async throws -> VoiceLoad {
        let change: LoadChange
        do {
            change = try await request.decodeJSON(LoadChange.self, limit: Self.bodyLimit)
        } catch let error as FleetError where error.code == .badRequest {
            let range = LoadChange.speakerRange
            throw FleetError.badRequest("""
                \(error.message). Send {"speakers": n}, n a whole number from \(range.lowerBound) to \(range.upperBound).
                """)
        }
        if let problem = change.problem { throw FleetError.badRequest(problem) }
        return try await bridge.setLoad(change)
    }
}
