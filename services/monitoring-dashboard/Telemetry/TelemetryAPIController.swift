import Foundation
import Hummingbird
import ServiceKit

/// The embedded backend's JSON API, read by the pages and by tests:
///
///     GET /api/traces?limit=&service=            newest traces first
///     GET /api/traces/{id}                       one trace's spans and logs (400 unless 32 hex, 404 unknown)
///     GET /api/logs?trace_id=&service=&limit=    newest log records first
///     GET /api/service-map?minutes=15            caller -> callee edges
///     GET /api/metrics?service=                  each metric's latest value per service
///     GET /api/telemetry/status                  how full the store is, and its last error
///
/// Every parameter is checked: a bad one is a 400 that names it, never an empty answer.
struct TelemetryAPIController: Sendable {
    let queries: any TelemetryQueries

    static let maxLimit = 1000

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/api/traces", use: traces)
        group.get("/api/traces/{id}", use: trace)
        group.get("/api/logs", use: logs)
        group.get("/api/service-map", use: serviceMap)
        group.get("/api/metrics", use: metrics)
        group.get("/api/telemetry/status", use: status)
    }

    struct TraceList: ResponseEncodable, Decodable, Sendable {
        var traces: [TraceSummary]
    }

    struct LogList: ResponseEncodable, Decodable, Sendable {
        var logs: [StoredLog]
    }

    struct ServiceMap: ResponseEncodable, Decodable, Sendable {
        var minutes: Int
        var edges: [ServiceEdge]
    }

    struct MetricList: ResponseEncodable, Decodable, Sendable {
        var metrics: [MetricLatest]
    }

    func traces(request: Request, context: FleetRequestContext) async throws -> EditedResponse<TraceList> {
        let parameters = request.uri.queryParameters
        let limit = try Self.integer(parameters.get("limit"), name: "limit", default: 50, range: 1...Self.maxLimit)
        let service = try Self.service(parameters.get("service"))
        return fresh(TraceList(traces: try await queries.recentTraces(limit: limit, service: service)))
    }

    func trace(request: Request, context: FleetRequestContext) async throws -> EditedResponse<TraceDetail> {
        guard let id = try Self.traceID(context.parameters.get("id") ?? "", name: "the trace id") else {
            throw FleetError.badRequest("The trace id is missing.")
        }
        guard let trace = try await queries.trace(id: id) else {
            throw FleetError.notFound("No trace \(id) in the telemetry store (it keeps the last "
                                      + "\(Int(await queries.status().maxAgeSeconds)) s, within its size bound).")
        }
        return fresh(trace)
    }

    func logs(request: Request, context: FleetRequestContext) async throws -> EditedResponse<LogList> {
        let parameters = request.uri.queryParameters
        let limit = try Self.integer(parameters.get("limit"), name: "limit", default: 100, range: 1...Self.maxLimit)
        let traceID = try Self.traceID(parameters.get("trace_id"), name: "trace_id")
        let service = try Self.service(parameters.get("service"))
        return fresh(LogList(logs: try await queries.logs(traceID: traceID, service: service, limit: limit)))
    }

    func serviceMap(request: Request, context: FleetRequestContext) async throws -> EditedResponse<ServiceMap> {
        let minutes = try Self.integer(request.uri.queryParameters.get("minutes"), name: "minutes", default: 15,
                                       range: 1...1440)
        let edges = try await queries.serviceMap(since: Date().addingTimeInterval(-Double(minutes) * 60))
        return fresh(ServiceMap(minutes: minutes, edges: edges))
    }

    func metrics(request: Request, context: FleetRequestContext) async throws -> EditedResponse<MetricList> {
        let service = try Self.service(request.uri.queryParameters.get("service"))
        return fresh(MetricList(metrics: try await queries.latestMetrics(service: service)))
    }

    func status(request: Request, context: FleetRequestContext) async throws -> EditedResponse<TelemetryStoreStatus> {
        fresh(await queries.status())
    }

    private func fresh<T: ResponseEncodable>(_ value: T) -> EditedResponse<T> {
        EditedResponse(headers: [.cacheControl: "no-store"], response: value)
    }

    // MARK: Parameters

    static func integer(_ raw: String?, name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw else { return fallback }
        guard let value = Int(raw), range.contains(value) else {
            throw FleetError.badRequest("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// A trace id: 32 hex digits (any case; answered in lowercase), or nil when absent.
    static func traceID(_ raw: String?, name: String) throws -> String? {
        guard let raw else { return nil }
        guard let id = TraceIdentity.normalized(raw) else {
            throw FleetError.badRequest("\(name) must be 32 hex digits, not all zero (a W3C trace id).")
        }
        return id
    }

    static func service(_ raw: String?) throws -> String? {
        guard let raw else { return nil }
        guard !raw.isEmpty, raw.count <= 100, !raw.contains(where: \.isNewline) else {
            throw FleetError.badRequest("service must be a service name (1 to 100 characters).")
        }
        return raw
    }
}
