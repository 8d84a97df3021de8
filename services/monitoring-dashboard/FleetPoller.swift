public import Logging
public import ServiceLifecycle

/// Polls the fleet every MONITOR_POLL_INTERVAL, whether or not anyone has a page open, and keeps
/// the latest status in the store; runs beside the server and stops on graceful shutdown.
public struct FleetPoller: Service {
    /// The dashboard's own row of the health matrix: asked in-process, since the dashboard does
    /// not poll itself over HTTP (its own URL as the others see it may not be one it can reach).
    public typealias OwnScrape = @Sendable () async -> TargetScrape

    let scraper: FleetScraper
    let prometheus: PrometheusAPI?
    let store: StatusStore
    let logger: Logger
    let own: OwnScrape?

    public init(scraper: FleetScraper, prometheus: PrometheusAPI?, store: StatusStore, logger: Logger,
                own: OwnScrape? = nil) {
        self.scraper = scraper
        self.prometheus = prometheus
        self.store = store
        self.logger = logger
        self.own = own
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await pollOnce()
                try? await Task.sleep(for: store.pollInterval)
            }
        }
    }

    /// One poll of every service, and of Prometheus when there is one, all at once; what the loop
    /// repeats and what tests call.
    public func pollOnce() async {
        async let prometheusStatus = prometheus?.status()
        async let prometheusQuantiles = quantilesFromPrometheus()
        async let ownScrape = own?()
        let scrapes = await scraper.scrape() + [await ownScrape].compactMap { $0 }
        await store.record(scrapes, prometheus: await prometheusStatus, prometheusQuantiles: await prometheusQuantiles)
        let down = scrapes.filter { !$0.readiness.ready }.map(\.target.name)
        if !down.isEmpty {
            logger.debug("services not ready", metadata: ["services": "\(down.joined(separator: ","))"])
        }
    }

    /// Prometheus's quantiles, or nil when there is no Prometheus or it did not answer: the store
    /// then keeps the ones estimated from the scrapes.
    private func quantilesFromPrometheus() async -> [FleetQuantile: Double]? {
        guard let prometheus else { return nil }
        do {
            return try await prometheus.quantiles()
        } catch {
            logger.debug("quantiles estimated from the scrapes: Prometheus did not answer",
                         metadata: ["error": "\(error)"])
            return nil
        }
    }
}
