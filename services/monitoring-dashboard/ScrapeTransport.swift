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
///
/// Each GET asks for its connection to be closed after the answer (`Connection: close`). A poll
/// every few seconds gains little from keeping connections open, and an open connection is not
/// free: NIO keeps up to four receive buffers per connection for its next reads, each grown to the
/// largest read it has seen (up to 64 KiB), and a /metrics answer of 20-40 KB grows them all. The
/// sixteen connections the dashboard kept open to the eight services held 1.1 MB of such buffers
/// between polls, a fifth of its idle heap (heaptrack, with and without polling). A new
/// connection per GET costs the services a loopback handshake every poll.
struct HTTPScrapeTransport: ScrapeTransport {
    let http: HTTPClient
    let timeout: Duration
    /// /metrics of a busy service is tens of kilobytes; anything far larger is not a metrics page.
    static let bodyLimit = 4 * 1024 * 1024

    func get(_ url: String) async throws -> (status: Int, body: [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Connection", value: "close")
        let response = try await http.execute(request, timeout: .init(timeout))
        let body = try await response.body.collect(upTo: Self.bodyLimit)
        return (Int(response.status.code), Array(body.readableBytesView))
    }
}
