import AsyncHTTPClient
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import MonitoringDashboardService

/// The dashboard's scrapes ask for their connection to be closed after each answer
/// (HTTPScrapeTransport), so nothing stays open, holding receive buffers, between polls.
@Suite("Dashboard scrape transport")
struct DashboardScrapeTransportTests {
    @Test("every GET says Connection: close, and the next GET still gets its answer")
    func closesEachConnection() async throws {
        let router = Router()
        router.get("/metrics") { request, _ in request.headers[.connection] ?? "(no Connection header)" }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let transport = HTTPScrapeTransport(http: .probes, timeout: .seconds(10))
            for _ in 0..<2 {
                let reply = try await transport.get("http://127.0.0.1:\(port)/metrics")
                #expect(reply.status == 200)
                #expect(String(decoding: reply.body, as: UTF8.self).lowercased() == "close")
            }
        }
    }
}
