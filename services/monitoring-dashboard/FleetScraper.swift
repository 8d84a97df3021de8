import FleetTelemetry
import Foundation
import ServiceKit

/// A service the dashboard watches.
public struct ScrapeTarget: Sendable, Equatable {
    public var name: String
    public var baseURL: String

    public init(name: String, baseURL: String) {
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    }
}

/// What one poll learned about one service.
public struct TargetScrape: Sendable {
    public var target: ScrapeTarget
    public var readiness: ServiceStatus
    /// The service's /metrics, or nil when it could not be read.
    public var metrics: MetricExposition?

    public init(target: ScrapeTarget, readiness: ServiceStatus, metrics: MetricExposition?) {
        self.target = target
        self.readiness = readiness
        self.metrics = metrics
    }
}

/// Reads every service's /health/ready and /metrics, all at once, and says what it found. Every
/// fetch is counted in dashboard_scrapes_total.
public struct FleetScraper: Sendable {
    public let targets: [ScrapeTarget]
    let transport: any ScrapeTransport

    public init(targets: [ScrapeTarget], transport: any ScrapeTransport) {
        self.targets = targets
        self.transport = transport
    }

    /// One scrape per target, in the targets' order.
    public func scrape() async -> [TargetScrape] {
        await withTaskGroup(of: TargetScrape.self) { group in
            for target in targets {
                group.addTask { await scrape(target) }
            }
            var found: [String: TargetScrape] = [:]
            for await scrape in group { found[scrape.target.name] = scrape }
            return targets.compactMap { found[$0.name] }
        }
    }

    func scrape(_ target: ScrapeTarget) async -> TargetScrape {
        async let readiness = readiness(of: target)
        async let metrics = metrics(of: target)
        let status = await readiness
        MetricCatalog.dependencyHealth.set(status.ready ? 1 : 0, ["dependency": target.name])
        return TargetScrape(target: target, readiness: status, metrics: await metrics)
    }

    /// /health/ready answers 200 (ready, degraded) or 503 (not_ready) with the same JSON report.
    func readiness(of target: ScrapeTarget) async -> ServiceStatus {
        let start = ContinuousClock.now
        let reply: (status: Int, body: [UInt8])
        do {
            reply = try await transport.get(target.baseURL + "/health/ready")
        } catch {
            record(target, success: false, start: start)
            return ServiceStatus(name: target.name, url: target.baseURL, ready: false, status: "unreachable",
                                 latencyMs: nil, dependencies: [:], error: String(describing: error))
        }
        let latencyMs = (ContinuousClock.now - start).seconds * 1000
        guard [200, 503].contains(reply.status),
              let report = try? JSONDecoder.fleet.decode(HealthMonitor.Report.self, from: Data(reply.body)) else {
            record(target, success: false, start: start)
            return ServiceStatus(name: target.name, url: target.baseURL, ready: false, status: "error",
                                 latencyMs: latencyMs, dependencies: [:],
                                 error: "/health/ready answered \(reply.status) without a readiness report")
        }
        record(target, success: true, start: start)
        return ServiceStatus(name: target.name, url: target.baseURL, ready: report.isReady, status: report.status,
                             latencyMs: latencyMs, dependencies: report.dependencies.mapValues(\.status),
                             error: nil)
    }

    func metrics(of target: ScrapeTarget) async -> MetricExposition? {
        let start = ContinuousClock.now
        guard let reply = try? await transport.get(target.baseURL + "/metrics"), reply.status == 200 else {
            record(target, success: false, start: start)
            return nil
        }
        record(target, success: true, start: start)
        return PrometheusText.parse(String(decoding: reply.body, as: UTF8.self))
    }

    private func record(_ target: ScrapeTarget, success: Bool, start: ContinuousClock.Instant) {
        let outcome = success ? "success" : "error"
        MetricCatalog.dashboardScrapes.increment(["target": target.name, "status": outcome])
        MetricCatalog.httpClientDuration.observe((ContinuousClock.now - start).seconds,
                                                 ["peer_service": target.name, "outcome": outcome])
    }
}
