import CoreMetrics
import FleetTelemetry
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import ServiceKit
import Testing

/// The server's guards against slow, idle and rude clients, tried over raw sockets against a live
/// server: each test asserts what the client sees (an answer, a closed connection), never how
/// fast. Timeouts are set to fractions of a second through the settings; the client's own wait
/// (`readUntilClosed`) is 20 s, so "still open" is a failure and a busy machine is not.
@Suite("Slow and rude clients")
struct SlowClientTests {
    /// EchoService (FleetApplicationTests) live on an ephemeral port, with `environment` settings,
    /// recording metrics into `registry`.
    func withLiveEcho(_ environment: [String: String], registry: PrometheusCollectorRegistry = .init(),
                      _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withMetricsFactory(CatalogPrometheusFactory(registry: registry)) {
            let settings = try ServiceSettings.forTesting(member: .guardrails, environment: environment)
            let built = try await FleetApplication.build(EchoService.self, runtime: ServiceRuntime(member: .guardrails, settings: settings),
                                                         registry: registry, peers: .init(optional: DownPeer()))
            try await built.application.test(.live) { client in try await body(try #require(client.port)) }
        }
    }

    static let echoHead = "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"

    @Test("an idle connection is closed after HTTP_IDLE_TIMEOUT")
    func idleConnectionClosed() async throws {
        try await withLiveEcho(["HTTP_IDLE_TIMEOUT": "0.3", "HTTP_REQUEST_READ_TIMEOUT": "60"]) { port in
            let outcome = try await RawHTTPConnection.run {
                try RawHTTPConnection(port: port).readUntilClosed()
            }
            #expect(outcome.closed, "an idle connection stayed open")
            #expect(outcome.bytes.isEmpty)
        }
    }

    @Test("a keep-alive connection is closed once idle after its answer")
    func keepAliveClosedWhenIdle() async throws {
        try await withLiveEcho(["HTTP_IDLE_TIMEOUT": "0.3", "HTTP_REQUEST_READ_TIMEOUT": "60"]) { port in
            let outcome = try await RawHTTPConnection.run {
                let connection = try RawHTTPConnection(port: port)
                let body = #"{"text":"hi"}"#
                connection.send(Self.echoHead + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
                return connection.readUntilClosed()
            }
            #expect(outcome.closed, "an idle keep-alive connection stayed open")
            #expect(RawHTTPAnswer(outcome.bytes).status == 200)
        }
    }

    @Test("a client that sends half its headers is cut off")
    func halfSentHeadersClosed() async throws {
        try await withLiveEcho(["HTTP_IDLE_TIMEOUT": "0.3", "HTTP_REQUEST_READ_TIMEOUT": "60"]) { port in
            let outcome = try await RawHTTPConnection.run {
                let connection = try RawHTTPConnection(port: port)
                connection.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Le")
                return connection.readUntilClosed()
            }
            #expect(outcome.closed, "a half-sent head kept its connection open")
        }
    }

    @Test("a body sent a byte at a time is cut off with 408 at HTTP_REQUEST_READ_TIMEOUT")
    func slowBodyCutOff() async throws {
        try await withLiveEcho(["HTTP_IDLE_TIMEOUT": "60", "HTTP_REQUEST_READ_TIMEOUT": "0.5"]) { port in
            let declared = 60  // within the route's 64-byte limit; a byte every 250 ms: 15 s for the whole body
            let (sent, outcome) = try await RawHTTPConnection.run {
                let connection = try RawHTTPConnection(port: port)
                connection.send(Self.echoHead + "Content-Length: \(declared)\r\n\r\n")
                var sent = 0
                while sent < declared, !connection.hasInput() {
                    Thread.sleep(forTimeInterval: 0.25)
                    guard connection.send("x") else { break }
                    sent += 1
                }
                return (sent, connection.readUntilClosed())
            }
            #expect(sent < declared, "the whole slow body was read")
            #expect(outcome.closed)
            let answer = RawHTTPAnswer(outcome.bytes)
            #expect(answer.status == 408)
            #expect(answer.headers["connection"] == "close")
            #expect(answer.body.contains("\"request_timeout\""))
        }
    }

    @Test("a 413 says Connection: close and ends the connection, though the client sent its whole body")
    func payloadTooLargeCloses() async throws {
        try await withLiveEcho([:]) { port in
            let outcome = try await RawHTTPConnection.run {
                let connection = try RawHTTPConnection(port: port)
                let body = #"{"text":""# + String(repeating: "x", count: 200_000) + #""}"#
                connection.send(Self.echoHead + "Content-Length: \(body.utf8.count)\r\n\r\n" + body)
                return connection.readUntilClosed()
            }
            #expect(outcome.closed, "the connection stayed open after the 413")
            let answer = RawHTTPAnswer(outcome.bytes)
            #expect(answer.status == 413)
            #expect(answer.headers["connection"] == "close")
            #expect(answer.body.contains("\"payload_too_large\""))
        }
    }

    @Test("a client hanging up mid-body is client_closed_request (499), never a 500")
    func hangUpIsNotAServerError() async throws {
        let registry = PrometheusCollectorRegistry()
        try await withLiveEcho([:], registry: registry) { port in
            try await RawHTTPConnection.run {
                let connection = try RawHTTPConnection(port: port)
                connection.send(Self.echoHead + "Content-Length: 60\r\n\r\n{\"text\":")
                Thread.sleep(forTimeInterval: 0.2)
                connection.hangUp()
            }
            let hangUps = #"http_server_errors_total{http_route="/echo",error_type="client_closed_request"}"#
            let counted = try await poll(within: effectDeadline) { registry.value(of: hangUps) }
            #expect(counted == 1)
            #expect(registry.value(of: #"http_server_errors_total{http_route="/echo",error_type="internal"}"#) == nil)
            #expect(!registry.emitToString().contains(#"http_response_status_code="500""#))
        }
    }
}
