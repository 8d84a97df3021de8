import FleetTelemetry
import Foundation
public import Hummingbird
import Logging

/// Turns every failure into the fleet's JSON error shape, counts it, and records the catalog's
/// HTTP server metrics. A client that hung up is `client_closed_request` with status 499, as
/// nginx logs it: counted in `http_server_errors_total` like every 4xx, never a 5xx, so an alert
/// on 5xx (or on `error_type="internal"`) does not fire because a phone lost its signal.
/// It sits inside Hummingbird's TracingMiddleware, so the server span sees
/// the final status code.
public struct FleetHTTPMiddleware<Context: RequestContext>: RouterMiddleware {
    let service: String

    public init(service: String) {
        self.service = service
    }

    public func handle(_ request: Request, context: Context,
                       next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        MetricCatalog.httpServerActive.adjust(by: 1)
        defer { MetricCatalog.httpServerActive.adjust(by: -1) }

        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let fleetError = FleetError.from(error)
            if fleetError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(fleetError)"])
            } else {
                context.logger.notice("request rejected", metadata: ["error": "\(fleetError)"])
            }
            response = fleetError.response(service: service)
            if fleetError.closesConnection {
                // CloseAfterResponseHandler ends the connection once this answer is written.
                response.headers[.connection] = "close"
            }
            MetricCatalog.httpServerErrors.increment(["http_route": route(context), "error_type": fleetError.code.description])
        }
        MetricCatalog.httpServerDuration.observe(
            (ContinuousClock.now - start).seconds,
            ["http_request_method": request.method.rawValue, "http_route": route(context),
             "http_response_status_code": String(response.status.code)])
        return response
    }

    /// The matched route template; unmatched paths share one value so scanners cannot add series.
    private func route(_ context: Context) -> String {
        context.endpointPath ?? "unmatched"
    }
}

extension Duration {
    /// This duration as floating-point seconds, the unit every catalog histogram uses.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
