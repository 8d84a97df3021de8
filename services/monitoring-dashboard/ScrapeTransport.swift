import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// One GET the dashboard makes, of a service or of Prometheus; the HTTP implementation is
/// `HTTPScrapeTransport`, tests use fakes.
public protocol ScrapeTransport: Sendable {
    /// Fetches `url`, answering with the status and body whatever the status is: a 503 from
    /// /health/ready is an answer worth reading, not a failure. Throws only when nothing came back.
    func get(_ url: String) async throws -> (status: Int, body: [UInt8])
}

/// GETs over AsyncHTTPClient, keeping the body of any status.
struct HTTPScrapeTransport: ScrapeTransport {
    let http: HTTPClient
    let timeout: Duration
    /// /metrics of a busy service is tens of kilobytes; anything far larger is not a metrics page.
    static let bodyLimit = 4 * 1024 * 1024

    func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .init(timeout))
        let body = try await response.body.collect(upTo: Self.bodyLimit)
        return (Int(response.status.code), Array(body.readableBytesView))
    }
}
