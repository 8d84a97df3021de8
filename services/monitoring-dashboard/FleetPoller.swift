import AsyncHTTPClient
import FleetTelemetry
import Logging
import NIOCore
import ServiceKit
import ServiceLifecycle

/// Polls the fleet every MONITOR_POLL_INTERVAL and keeps the latest status in the store; runs
/// beside the server and stops on graceful shutdown.
///
/// It polls through the kit's untraced probe client (`HTTPClient.probes`): polling nine services
/// every few seconds would otherwise start several root traces a second and bury the voice turns
/// in Jaeger — Prometheus does not trace its scrapes either.
public struct FleetPoller: Service {
    let scraper: FleetScraper
    let store: StatusStore
    let timeout: Duration
    let logger: Logger

    public init(scraper: FleetScraper, store: StatusStore, timeout: Duration, logger: Logger) {
        self.scraper = scraper
        self.store = store
        self.timeout = timeout
        self.logger = logger
    }

    public func run() async throws {
        let transport = HTTPScrapeTransport(http: .probes, timeout: timeout)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pollOnce(using: transport)
                try? await Task.sleep(for: store.pollInterval)
            }
        }
    }

    /// One poll of every service; what the loop repeats and what tests call with a fake transport.
    public func pollOnce(using transport: any ScrapeTransport) async {
        let (scrapes, prometheus) = await scraper.scrape(using: transport)
        await store.record(scrapes, prometheus: prometheus)
        let down = scrapes.filter { !$0.readiness.ready }.map(\.target.name)
        if !down.isEmpty {
            logger.debug("services not ready", metadata: ["services": "\(down.joined(separator: ","))"])
        }
    }
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
