import FleetContracts
import FleetPages
import FleetTelemetry
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import ServiceKit
import Testing
@testable import MonitoringDashboardService

@Suite("monitoring-dashboard shows the scenarios and the load")
struct MonitoringDashboardScenarioTests {
    /// The dashboard over the fixture's canned fleet, with its runtime at hand to set scenarios.
    static func app(_ runtime: ServiceRuntime) async throws -> FleetApplication.Built {
        let peers = MonitoringDashboardService.Peers(targets: DashboardFixture.targets, transport: CannedTransport(),
                                                     telemetry: FakeTelemetry())
        return try await FleetApplication.build(MonitoringDashboardService.self, runtime: runtime,
                                                registry: PrometheusCollectorRegistry(), peers: peers)
    }

    @Test("GET /api/scenarios lists the scenarios as the dashboard's own flags have them, an active one with its value")
    func activeScenario() async throws {
        let runtime = try DashboardFixture.runtime(["SCENARIO_FLAGS_FILE": "/tmp/fleet-test/flags.json"])
        try await Self.app(runtime).application.test(.router) { client in
            var response = try await client.execute(uri: "/api/scenarios", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            var list = try JSONDecoder.fleet.decode(ScenarioList.self, from: Data(response.body.readableBytesView))
            #expect(list.scenarios.map(\.key) == Scenario.keys)
            #expect(list.active.isEmpty)
            #expect(list.source == "/tmp/fleet-test/flags.json" && list.stateOf == "process")

            // What the flag source does when the file changes.
            runtime.scenarios.set(.sttSlow, to: .number(6))
            runtime.scenarios.set(.downstreamUnreachable, to: .string("guardrails"))
            response = try await client.execute(uri: "/api/scenarios", method: .get)
            list = try JSONDecoder.fleet.decode(ScenarioList.self, from: Data(response.body.readableBytesView))
            #expect(list.active.map(\.key) == ["sttSlow", "downstreamUnreachable"])
            #expect(list.active.map(\.valueText) == ["6 x", "guardrails"])
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            let slow = try #require((json["scenarios"] as? [[String: Any]])?.first { $0["key"] as? String == "sttSlow" })
            #expect(slow["active"] as? Bool == true && slow["value"] as? Double == 6 && slow["unit"] as? String == "x")
        }
    }

    @Test("OFREP as the flag source is named as such")
    func ofrepSource() async throws {
        let runtime = try DashboardFixture.runtime(["FLAGD_HOST": "flagd"])
        try await Self.app(runtime).application.test(.router) { client in
            let response = try await client.execute(uri: "/api/scenarios", method: .get)
            let list = try JSONDecoder.fleet.decode(ScenarioList.self, from: Data(response.body.readableBytesView))
            #expect(list.source == "OFREP http://flagd:8016")
        }
    }

    @Test("the page has a live scenario panel listing the active ones, and a load card")
    func page() async throws {
        let runtime = try DashboardFixture.runtime()
        try await Self.app(runtime).application.test(.router) { client in
            var html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            for element in [#"<section class="card" id="scenarios-card" data-live>"#, #"<tbody id="scenarios">"#,
                            "None: the fleet runs healthy.", #"id="scenario-source""#, "0 of \(Scenario.keys.count) on",
                            #"<div id="load-speakers" class="big">–</div>"#, "voice bridge not read yet"] {
                #expect(html.contains(element), "the page lacks \(element)")
            }
            runtime.scenarios.set(.sttSlow, to: .number(6))
            html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(html.contains(#"<tr><td><span class="badge error">sttSlow</span></td><td class="num">6 x</td><td>stt</td>"#))
            #expect(html.contains("1 of \(Scenario.keys.count) on"))
        }
    }

    @Test("the load card shows the bridge's speakers and channels once polled")
    func loadCard() async throws {
        let (poller, store) = DashboardFixture.poller()
        await poller.pollOnce()
        let html = DashboardPage.render(.init(
            status: await store.latest(), history: await store.history(), scenarios: ScenarioList(source: "test", stateOf: "process", scenarios: []),
            edges: .success([]), traces: .success([]), telemetry: await FakeTelemetry().status(),
            links: PageLinks(requestHost: nil), quantilesFromPrometheus: false, now: Date()))
        #expect(html.contains(#"<div id="load-speakers" class="big">12</div>"#))
        #expect(html.contains("simulated speakers in 2 voice channels"))
        #expect(html.contains(#"<dt>replied</dt><dd>8</dd>"#) && html.contains(#"<dt>no wake phrase</dt><dd>3</dd>"#))
    }

    @Test("/api/status carries the bridge's speaker load from its voice_active_speakers and voice_channels")
    func load() async throws {
        let (poller, store) = DashboardFixture.poller()
        #expect(await store.latest().metrics.activeSpeakers == nil)
        await poller.pollOnce()
        let metrics = await store.latest().metrics
        #expect(metrics.activeSpeakers == 12 && metrics.voiceChannels == 2)
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder.fleet.encode(metrics)) as? [String: Any])
        #expect(json["active_speakers"] as? Double == 12 && json["voice_channels"] as? Double == 2)
    }
}
