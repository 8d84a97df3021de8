import FleetTelemetry
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import MonitoringDashboardService

@Suite("monitoring-dashboard's service map")
struct DashboardServiceMapTests {
    @Test("the nine are nodes at fixed places; an edge per calling pair, failed ones marked; self-calls left out")
    func drawing() {
        let edges = TraceFixture.turnEdges + [ServiceEdge(caller: "stt", callee: "stt", calls: 4, errors: 0)]
        let map = ServiceMapDrawing.draw(edges, health: ["discord": "ready", "stt": "unreachable"])
        #expect(map.nodes.map(\.name) == FleetMember.allCases.map(\.name))
        #expect(map.nodes.first { $0.name == "discord" }?.health == "ready")
        #expect(map.nodes.first { $0.name == "stt" }?.health == "unreachable")
        #expect(map.nodes.first { $0.name == "tts-bark" }?.health == "unknown")
        #expect(map.nodes.filter(\.aside).map(\.name) == ["monitoring-dashboard"])
        #expect(Set(map.edges.map(\.key)) == Set(TraceFixture.turnEdges.map { "\($0.caller)->\($0.callee)" }))
        let failed = map.edges.filter(\.failed)
        #expect(failed.map(\.key) == ["discord->orchestrator"])
        #expect(failed.first?.label == "3 · 1 failed")
        #expect(map.edges.first { $0.key == "orchestrator->guardrails" }?.label == "6")
        // Pipeline order left to right: the bridge, its stages, the orchestrator's.
        let x = Dictionary(uniqueKeysWithValues: map.nodes.map { ($0.name, Double($0.x)!) })
        #expect(x["discord"]! < x["stt"]! && x["stt"]! < x["llm-flan"]!)
        #expect(map.height == 340)
    }

    @Test("an arrow runs from border to border; calls both ways are drawn apart")
    func arrows() throws {
        let map = ServiceMapDrawing.draw([ServiceEdge(caller: "discord", callee: "stt", calls: 1, errors: 0),
                                          ServiceEdge(caller: "stt", callee: "discord", calls: 2, errors: 0)], health: [:])
        let there = try #require(map.edges.first { $0.key == "discord->stt" })
        let back = try #require(map.edges.first { $0.key == "stt->discord" })
        // discord's box ends at x 170, stt's starts at 300, both centred on y 139.
        #expect(Double(there.x1)! >= 170 && Double(there.x2)! <= 300)
        #expect(there.y1 != back.y1, "the two directions overlap")
        #expect(Double(back.x1)! <= 300 && Double(back.x2)! >= 170)
    }

    @Test("a service that is not one of the nine gets a place of its own below")
    func stranger() {
        let map = ServiceMapDrawing.draw([ServiceEdge(caller: "discord", callee: "unknown_service:audio-fleet", calls: 1, errors: 0)],
                                         health: [:])
        #expect(map.nodes.count == 10)
        #expect(map.nodes.last?.name == "unknown_service:audio-fleet")
        #expect(map.height > 340)
        #expect(map.edges.map(\.key) == ["discord->unknown_service:audio-fleet"])
    }

    @Test("GET / draws the map from the store's edges, each with data-edge, failed ones red")
    func onThePage() async throws {
        let telemetry = FakeTelemetry(edges: TraceFixture.turnEdges)
        try await DashboardFixture.app(telemetry: telemetry).application.test(.router) { client in
            let html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            for edge in TraceFixture.turnEdges {
                // The browser reads `discord->stt`: `>` is escaped in the attribute as in any text.
                #expect(html.contains(#"data-edge="\#(edge.caller)-&gt;\#(edge.callee)""#), "no edge \(edge.caller)->\(edge.callee)")
            }
            #expect(html.contains(#"<g class="edge error" data-edge="discord-&gt;orchestrator">"#))
            #expect(html.contains(#"<g class="edge" data-edge="discord-&gt;stt">"#))
            #expect(html.contains(#"marker-end="url(#map-arrow-error)""#))
            #expect(html.contains(#"<g class="node unknown aside" data-node="monitoring-dashboard">"#))
            #expect(!html.contains("No calls between services"))
        }
    }

    @Test("with an empty store the map shows the nine and says it fills as traces arrive; a broken store says so")
    func emptyAndBroken() async throws {
        try await DashboardFixture.app().application.test(.router) { client in
            let html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(html.contains("No calls between services in the last 15 minutes"))
            #expect(html.components(separatedBy: "data-node=").count - 1 == 9)
            #expect(!html.contains("data-edge="))
        }
        let broken = FakeTelemetry(failure: "database disk image is malformed")
        try await DashboardFixture.app(telemetry: broken).application.test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .ok, "a broken store must not take the page down")
            let html = String(buffer: response.body)
            #expect(html.contains("The traces could not be read: database disk image is malformed"))
            #expect(html.contains(#"<span class="error-text">database disk image is malformed</span>"#))
        }
    }
}
