import FleetContracts
import Foundation
import Testing
@testable import MonitoringDashboardService

@Suite("Dashboard status aggregation")
struct DashboardAggregationTests {
    static let targets = DashboardFixture.targets

    @Test("readiness of each service, read even from a 503, and unreachable services shown as such")
    func readinessOfEachService() async throws {
        let scraper = FleetScraper(targets: Self.targets, transport: DashboardFixture.fleet(api: 10, probes: 5))
        let scrapes = await scraper.scrape()
        #expect(scrapes.map(\.target.name) == Self.targets.map(\.name))
        let byName = Dictionary(uniqueKeysWithValues: scrapes.map { ($0.target.name, $0.readiness) })

        let discord = try #require(byName["discord"])
        #expect(discord.ready && discord.status == "ready")
        #expect(discord.dependencies == ["stt": "healthy", "orchestrator": "healthy"])
        #expect(discord.latencyMs != nil && discord.error == nil)
        #expect(byName["orchestrator"]?.ready == true)
        #expect(byName["orchestrator"]?.status == "degraded")

        let guardrails = try #require(byName["guardrails"])
        #expect(!guardrails.ready && guardrails.status == "not_ready")
        #expect(guardrails.dependencies == ["llm-flan": "unreachable"])

        let stt = try #require(byName["stt"])
        #expect(!stt.ready && stt.status == "unreachable" && stt.latencyMs == nil)
        #expect(stt.error?.contains("connection refused") == true)
        #expect(scrapes.first { $0.target.name == "stt" }?.metrics == nil)
    }

    @Test("a readiness answer that is not a report is an error, not a ready service")
    func unreadableReadiness() async {
        let transport = CannedTransport(replies: ["http://x.test/health/ready": (404, "not found"),
                                                  "http://x.test/metrics": (200, "")])
        let scrapes = await FleetScraper(targets: [ScrapeTarget(name: "x", baseURL: "http://x.test/")], transport: transport)
            .scrape()
        #expect(scrapes.first?.readiness.status == "error")
        #expect(scrapes.first?.readiness.ready == false)
        #expect(scrapes.first?.readiness.error?.contains("404") == true)
    }

    @Test("headline numbers: turns, end-to-end quantiles, stage TTFB across services, audio quality, errors")
    func headlineNumbers() async throws {
        let (poller, store) = DashboardFixture.poller()
        await poller.pollOnce()
        let status = await store.latest()
        #expect(status.prometheus == nil)
        let metrics = status.metrics

        #expect(metrics.turnsByOutcome == ["replied": 8, "no_wake_phrase": 3])
        // 8 turns: rank 4 in (1, 2] holding 4 -> 1 + 1 * (2 / 4); rank 7.6 in (2, 3] holding 2 -> 2 + 1 * (1.6 / 2).
        #expect(metrics.endToEndSeconds.count == 8)
        #expect(metrics.endToEndSeconds.p50 == 1.5)
        let p95 = try #require(metrics.endToEndSeconds.p95)
        #expect(abs(p95 - 2.8) < 1e-9)
        // stt from discord: rank 2 in (0.5, 1] holding 4 -> 0.75. llm: rank 2 in (0, 0.5] holding 4 -> 0.25.
        // tts: rank 2 in (0.5, 1] holding 2 -> 0.5 + 0.5 * (1 / 2) = 0.75.
        #expect(metrics.stageTtfbMedianSeconds == ["stt": 0.75, "llm": 0.25, "tts": 0.75])
        // Only processed audio counts: rank 5 of 10, all in (0.5, 1] -> 0.75 (the input stage would give 0.28).
        #expect(metrics.audioQualityMedian == 0.75)
        #expect(metrics.quantileSource == .scraped)
        #expect(metrics.errorsTotal["discord"] == 2)
        #expect(metrics.errorsTotal["guardrails"] == 0)
        #expect(metrics.errorsTotal["stt"] == nil)
        // One poll gives no rate yet.
        #expect(metrics.requestsPerSecond.isEmpty)
    }

    @Test("requests per second come from counter deltas between polls, leaving out probes")
    func requestRate() {
        var aggregator = StatusAggregator()
        let start = ContinuousClock.now
        let target = ScrapeTarget(name: "stt", baseURL: "http://stt.test")
        func scrape(api: Int, probes: Int) -> TargetScrape {
            TargetScrape(target: target,
                         readiness: ServiceStatus(name: "stt", url: target.baseURL, ready: true, status: "ready",
                                                  latencyMs: 1, dependencies: [:], error: nil),
                         metrics: PrometheusText.parse(DashboardFixture.requestCounts(api: api, probes: probes)))
        }
        #expect(aggregator.aggregate([scrape(api: 10, probes: 100)], at: start).requestsPerSecond["stt"] == nil)
        // 20 API requests in 5 s; the 50 extra probe requests do not count.
        #expect(aggregator.aggregate([scrape(api: 30, probes: 150)], at: start + .seconds(5)).requestsPerSecond["stt"] == 4)
        // The service restarted: its counter starts again from zero, so 6 requests in 2 s.
        #expect(aggregator.aggregate([scrape(api: 6, probes: 1)], at: start + .seconds(7)).requestsPerSecond["stt"] == 3)
        // A failed scrape forgets the service, so the next one starts over instead of spanning the gap.
        let down = TargetScrape(target: target, readiness: scrape(api: 0, probes: 0).readiness, metrics: nil)
        #expect(aggregator.aggregate([down], at: start + .seconds(12)).requestsPerSecond.isEmpty)
        #expect(aggregator.aggregate([scrape(api: 50, probes: 1)], at: start + .seconds(17)).requestsPerSecond["stt"] == nil)
    }

    @Test("Prometheus is shown as reachable or not, when configured")
    func prometheus() async {
        let fleet = DashboardFixture.fleet(api: 0, probes: 0)
        let up = await PrometheusAPI(url: "http://prom.test/", transport: fleet).status()
        #expect(up == PrometheusStatus(url: "http://prom.test", reachable: true))
        let down = await PrometheusAPI(url: "http://elsewhere.test", transport: fleet).status()
        #expect(down == PrometheusStatus(url: "http://elsewhere.test", reachable: false))
    }

    @Test("the turn feed keeps the newest reports first and at most its length")
    func turnFeed() async {
        let store = StatusStore(targets: [], prometheusURL: nil, pollInterval: .seconds(5))
        for id in 1...(StatusStore.turnFeedLength + 5) {
            await store.add(TurnReport(turnId: id, speaker: "alice", sessionId: "s", outcome: "replied",
                                       transcript: "hey atlas", response: "hi", endToEndSeconds: 1.2,
                                       traceId: nil, finishedAt: Double(id)))
        }
        let turns = await store.latest().recentTurns
        #expect(turns.count == StatusStore.turnFeedLength)
        #expect(turns.first?.turnId == StatusStore.turnFeedLength + 5)
        #expect(turns.last?.turnId == 6)
    }
}
