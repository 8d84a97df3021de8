import FleetPages
import Hummingbird
import ServiceKit

/// The run history over HTTP: GET /api/runs and /api/runs/{id} (JSON), GET /runs/{id} (the run's
/// page, whose `#run` the main page swaps in after a run) and GET /runs/{id}/input.ogg and
/// /runs/{id}/reply.ogg (the run's audio, for the page's players). A run the history no longer
/// keeps, or never had, is a 404 that says how many it keeps.
struct RunHistoryController: Sendable {
    let history: RunHistory
    let config: TestingUIConfig

    /// GET /api/runs answers this many unless `?limit=` asks for another number.
    static let defaultListLimit = 50

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/api/runs", use: list)
        group.get("/api/runs/:id", use: record)
        group.get("/runs/:id", use: page)
        group.get("/runs/:id/input.ogg", use: inputAudio)
        group.get("/runs/:id/reply.ogg", use: replyAudio)
    }

    func list(request: Request, context: FleetRequestContext) async throws -> EditedResponse<RunList> {
        let limit = try request.uri.queryParameters.get("limit").map { text in
            guard let value = Int(text), value >= 1 else {
                throw FleetError.badRequest("'limit' is '\(text)'; give a whole number from 1.")
            }
            return min(value, history.keep)
        } ?? Self.defaultListLimit
        let runs = try await history.recent(limit: limit)
        return EditedResponse(headers: [.cacheControl: "no-store"],
                              response: RunList(runs: runs, keeps: history.keep, store: history.location))
    }

    func record(request: Request, context: FleetRequestContext) async throws -> RunRecord {
        try await stored(try Self.id(context))
    }

    func page(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        let record = try await stored(try Self.id(context))
        let links = TestingUIController.links(for: request, config)
        let html = TestingUIPage.runHTML(.init(record, links: links), links: links)
        return BinaryBody(Array(html.utf8), contentType: MediaType.html, headers: [.cacheControl: "no-store"])
    }

    func inputAudio(request: Request, context: FleetRequestContext) async throws -> AudioFileResponse {
        try await audio(context, reply: false)
    }

    func replyAudio(request: Request, context: FleetRequestContext) async throws -> AudioFileResponse {
        try await audio(context, reply: true)
    }

    private func audio(_ context: FleetRequestContext, reply: Bool) async throws -> AudioFileResponse {
        let id = try Self.id(context)
        guard let bytes = try await history.audio(id: id, reply: reply) else {
            _ = try await stored(id)  // no such run: that 404; else the run has no reply audio
            throw FleetError.notFound("Run \(id) has no reply audio: the orchestrator answered in text only.")
        }
        return AudioFileResponse(bytes: bytes, filename: "run-\(id)-\(reply ? "reply" : "input").ogg")
    }

    private func stored(_ id: Int) async throws -> RunRecord {
        guard let record = try await history.record(id: id) else {
            throw FleetError.notFound("There is no run \(id); the history keeps the last \(history.keep) runs.")
        }
        return record
    }

    /// The path's run id: a positive whole number, else a 404 (no such page).
    private static func id(_ context: FleetRequestContext) throws -> Int {
        let text = try context.parameters.require("id")
        guard let id = Int(text), id > 0 else {
            throw FleetError.notFound("'\(text)' is not a run id; runs are numbered from 1.")
        }
        return id
    }
}
