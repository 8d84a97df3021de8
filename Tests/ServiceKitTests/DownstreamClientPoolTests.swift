import AsyncHTTPClient
import Hummingbird
import HummingbirdTesting
import NIOHTTP1
import ServiceKit
import Testing

/// A wait for a pooled connection is this process's own queue, not the peer failing: the breaker
/// must not count it, and the call waits for a connection within its own timeout instead of the
/// connect timeout. (At 32 concurrent turns, 16 failed with `getConnectionFromPoolTimeout` toward
/// llm-flan, the breaker opened, and every turn got `circuit_open` for 30 s.)
@Suite("DownstreamClient and its connection pool")
struct DownstreamClientPoolTests {
    @Test("callers queued behind a one-connection pool all succeed, and the breaker stays closed")
    func poolWaitIsNotThePeersFailure() async throws {
        // One connection, a 50 ms connect timeout (which AsyncHTTPClient also applies to a queued
        // request) and a peer that takes 300 ms a call: every caller after the first waits far
        // longer than 50 ms for the connection.
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .milliseconds(50))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 1
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            try await Self.withSlowPeer { url in
                let client = DownstreamClient(peer: "llm-flan", url: url, http: http, timeout: .seconds(30), retries: 0,
                                              breakerPolicy: .init(failureThreshold: 2, successThreshold: 1, openDuration: .seconds(60)))
                let outcomes = await withTaskGroup(of: String.self) { group in
                    for _ in 0..<5 {
                        group.addTask {
                            do { return "\(try await client.send(.POST, "/slow").status)" } catch { return "\(error)" }
                        }
                    }
                    return await group.reduce(into: []) { $0.append($1) }
                }
                #expect(outcomes == Array(repeating: "200", count: 5))
                #expect(await client.breaker.state == .closed(failures: 0))
            }
        } catch {
            try await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    /// A peer whose only call takes 300 ms.
    static func withSlowPeer(_ body: @Sendable @escaping (String) async throws -> Void) async throws {
        let router = Router()
        router.get("/health/live") { _, _ in "alive" }
        router.post("/slow") { _, _ in
            try await Task.sleep(for: .milliseconds(300))
            return "{}"
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body("http://127.0.0.1:\(try #require(client.port))") }
    }
}
