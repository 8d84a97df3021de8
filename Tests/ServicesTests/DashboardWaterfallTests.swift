import FleetPages
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import MonitoringDashboardService

@Suite("monitoring-dashboard's trace pages")
struct DashboardWaterfallTests {
    typealias F = TraceFixture

    /// root -> (a -> a1, b); b starts before a; c's parent is not in the trace.
    static var tree: TraceDetail {
        TraceDetail(traceId: F.traceId, spans: [
            F.span("0000000000000001", parent: nil, service: "discord", name: "turn", from: 0, to: 2),
            F.span("00000000000000b0", parent: "0000000000000001", service: "orchestrator", name: "b", from: 0.5, to: 1.5,
                   error: true),
            F.span("00000000000000a0", parent: "0000000000000001", service: "stt", name: "a", from: 0.1, to: 0.4),
            F.span("00000000000000a1", parent: "00000000000000a0", service: "stt", name: "a1", from: 0.2, to: 0.3),
            F.span("00000000000000c0", parent: "00000000000000ff", service: "tts-bark", name: "c", from: 1, to: 2),
        ], logs: [F.log("late", service: "stt", at: 0.3, span: "00000000000000a1"),
                  F.log("early", service: "discord", at: 0.01, span: "0000000000000001")])
    }

    @Test("rows are depth-first, children by start time, with depth and bar placed in percent of the trace")
    func layout() {
        let waterfall = TraceWaterfall(Self.tree)
        #expect(waterfall.rows.map(\.span.name) == ["turn", "a", "a1", "b", "c"])
        #expect(waterfall.rows.map(\.depth) == [0, 1, 2, 1, 0])
        #expect(waterfall.rows.map(\.orphan) == [false, false, false, false, true])
        #expect(waterfall.orphanCount == 1 && waterfall.errorCount == 1)
        #expect(waterfall.durationSeconds == 2)
        let a = waterfall.rows[1]
        #expect(abs(a.offsetPercent - 5) < 1e-9 && abs(a.widthPercent - 15) < 1e-9)
        #expect(waterfall.logs.map(\.body) == ["early", "late"])
        #expect(waterfall.services == ["discord", "orchestrator", "stt", "tts-bark"])
    }

    @Test("a parent cycle loses no span, and a voice turn of 60 spans has none orphaned")
    func corruptAndLarge() {
        let cycle = TraceDetail(traceId: F.traceId, spans: [
            F.span("0000000000000001", parent: "0000000000000002", service: "stt", name: "x", from: 0, to: 1),
            F.span("0000000000000002", parent: "0000000000000001", service: "stt", name: "y", from: 0.5, to: 1),
        ], logs: [])
        #expect(TraceWaterfall(cycle).rows.count == 2)
        let turn = TraceWaterfall(F.voiceTurn())
        #expect(turn.rows.count == 60 && turn.orphanCount == 0)
        #expect(turn.services.count == 8)
        #expect(turn.rows.first?.span.name == "voice turn")
        // Every row comes right after its parent's subtree started: its parent is an earlier row.
        var seen = Set<String>()
        for row in turn.rows {
            if let parent = row.span.parentSpanId { #expect(seen.contains(parent)) }
            seen.insert(row.span.spanId)
        }
    }

    @Test("GET /traces/{id}: a row per span with its hooks, details, the orphan count and the trace's logs")
    func page() async throws {
        let telemetry = FakeTelemetry(traces: [Self.tree])
        try await DashboardFixture.app(["JAEGER_UI_URL": "http://jaeger.test:16686/"], telemetry: telemetry)
            .application.test(.router) { client in
                try await client.execute(uri: "/traces/\(F.traceId.uppercased())", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                    let html = String(buffer: response.body)
                    let rows = html.components(separatedBy: #"<div class="span-row"#).dropFirst()
                    #expect(rows.count == 5)
                    #expect(rows.map { $0.between(#"data-span-id=""#, #"""#) } ==
                            ["0000000000000001", "00000000000000a0", "00000000000000a1", "00000000000000b0", "00000000000000c0"])
                    #expect(rows.first?.hasPrefix(#"" id="span-0000000000000001" data-service="discord" data-span-id="0000000000000001" data-parent-id="" data-depth="0">"#) == true)
                    #expect(rows.map { $0.between(#"data-depth=""#, #"""#) } == ["0", "1", "2", "1", "0"])
                    #expect(html.contains(#"<div class="span-row error" id="span-00000000000000b0" data-service="orchestrator""#))
                    #expect(html.contains(#"<div class="span-row orphan" id="span-00000000000000c0" data-service="tts-bark" data-span-id="00000000000000c0" data-parent-id="00000000000000ff""#))
                    #expect(html.contains(#"<span id="orphans">1</span> orphans"#))
                    #expect(html.contains(#"style="margin-left:5.000%;width:15.000%""#))
                    #expect(html.contains("<dt>status</dt><dd>error: boom</dd>"))
                    #expect(html.contains(#"<span class="span-name" style="padding-left:28px">"#))
                    #expect(html.contains("<pre>early</pre>") && html.contains("<pre>late</pre>"))
                    #expect(html.components(separatedBy: "<pre>early</pre>")[0].contains("<pre>late</pre>") == false, "logs in time order")
                    #expect(html.contains(##"<a href="#span-00000000000000a1"><code>00000000000000a1</code></a>"##))
                    #expect(html.contains(#"href="http://jaeger.test:16686/trace/\#(F.traceId)""#))
                    #expect(html.contains(#"<a href="http://jaeger.test:16686" target="_blank" rel="noopener">Jaeger</a>"#))
                }
            }
    }

    @Test("span attributes and events are in the row's details")
    func details() async throws {
        let event = StoredSpanEvent(name: "first byte", timeUnixNano: F.start + 250_000_000, attributes: ["bytes": "512"])
        let trace = TraceDetail(traceId: F.traceId, spans: [
            F.span("0000000000000001", parent: nil, service: "stt", name: "/asr", from: 0, to: 1,
                   attributes: ["http.route": "/asr", "gen_ai.request.model": "whisper"], events: [event]),
        ], logs: [])
        let html = TracePage.render(TraceWaterfall(trace), links: PageLinks(requestHost: "localhost:8501"))
        #expect(html.contains("<dt>gen_ai.request.model</dt><dd>whisper</dd><dt>http.route</dt><dd>/asr</dd>"))
        #expect(html.contains(#"<b>first byte</b> <span class="muted">+250 ms into the span</span> <span class="chip">bytes=512</span>"#))
        #expect(html.contains("No log record carries this trace id."))
        #expect(html.contains(#"<a href="http://localhost:8501" aria-current="page">Monitoring</a>"#))
    }

    @Test("a malformed trace id is a 400 page, an unknown one a 404 page, a broken store a 503 page")
    func errors() async throws {
        try await DashboardFixture.app(telemetry: FakeTelemetry(traces: [Self.tree])).application.test(.router) { client in
            for malformed in ["xyz", "4bf92f3577b34da6a3ce929d0e0e473", "4bf92f3577b34da6a3ce929d0e0e4736a",
                              "00000000000000000000000000000000", "4bf92f3577b34da6a3ce929d0e0e473g"] {
                try await client.execute(uri: "/traces/\(malformed)", method: .get) { response in
                    #expect(response.status == .badRequest, "\(malformed)")
                    #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                    #expect(String(buffer: response.body).contains("is not a trace id"))
                }
            }
            try await client.execute(uri: "/traces/0af7651916cd43dd8448eb211c80319c", method: .get) { response in
                #expect(response.status == .notFound)
                let html = String(buffer: response.body)
                #expect(html.contains("<h1>No such trace</h1>") && html.contains("0af7651916cd43dd8448eb211c80319c"))
            }
        }
        try await DashboardFixture.app(telemetry: FakeTelemetry(failure: "disk full")).application.test(.router) { client in
            try await client.execute(uri: "/traces/\(F.traceId)", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("The telemetry store answered: disk full"))
            }
        }
    }

    @Test("GET /traces lists the newest traces, filtered by service, each linking to its waterfall")
    func list() async throws {
        let other = "0af7651916cd43dd8448eb211c80319c"
        let lone = TraceDetail(traceId: other, spans: [F.span("0000000000000009", parent: nil, service: "stt", name: "/asr",
                                                              from: 10, to: 11, trace: other)], logs: [])
        try await DashboardFixture.app(telemetry: FakeTelemetry(traces: [Self.tree, lone])).application.test(.router) { client in
            var html = String(buffer: try await client.execute(uri: "/traces", method: .get).body)
            #expect(html.contains(#"<section class="card" id="trace-list" data-live>"#))
            #expect(html.contains("<h2>2 newest traces</h2>"))
            #expect(html.contains(#"<a class="trace-link" href="/traces/\#(F.traceId)">"#))
            #expect(html.components(separatedBy: other)[0].contains(F.traceId) == false, "newest first")
            html = String(buffer: try await client.execute(uri: "/traces?service=tts-bark", method: .get).body)
            #expect(html.contains("<h2>1 newest traces with a span of tts-bark</h2>"))
            #expect(html.contains("<option selected>tts-bark</option>"))
            #expect(!html.contains(other))
            let tooLong = String(repeating: "x", count: 101)
            #expect(try await client.execute(uri: "/traces?service=\(tooLong)", method: .get).status == .badRequest)
        }
        try await DashboardFixture.app().application.test(.router) { client in
            let html = String(buffer: try await client.execute(uri: "/traces", method: .get).body)
            #expect(html.contains("No traces yet"))
        }
    }

    @Test("the dashboard's own page views are left out of the unfiltered lists, and shown with its filter")
    func ownPageViews() async throws {
        let own = "11111111111111111111111111111111"
        let view = TraceDetail(traceId: own, spans: [F.span("0000000000000007", parent: nil, service: "monitoring-dashboard",
                                                            name: "/", from: 20, to: 20.01, trace: own)], logs: [])
        try await DashboardFixture.app(telemetry: FakeTelemetry(traces: [Self.tree, view])).application.test(.router) { client in
            var html = String(buffer: try await client.execute(uri: "/traces", method: .get).body)
            #expect(!html.contains(own) && html.contains(F.traceId))
            #expect(html.contains("1 traces of the dashboard's own pages left out"))
            html = String(buffer: try await client.execute(uri: "/traces?service=monitoring-dashboard", method: .get).body)
            #expect(html.contains(own))
            html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            #expect(!html.contains(own) && html.contains(F.traceId))
        }
    }

    @Test("the dashboard lists the latest traces, and the bridge's turns link to their waterfalls and to Jaeger")
    func turnsAndTraces() async throws {
        let telemetry = FakeTelemetry(traces: [F.voiceTurn()])
        try await DashboardFixture.app(["JAEGER_UI_URL": "http://jaeger.test:16686"], telemetry: telemetry)
            .application.test(.router) { client in
                let report = #"{"turn_id":7,"speaker":"alice","session_id":"s1","outcome":"replied","transcript":"hey atlas","response":"Hello!","end_to_end_seconds":1.4,"trace_id":"\#(F.traceId)","finished_at":1700000000}"#
                _ = try await client.execute(uri: "/api/turns", method: .post, headers: [.contentType: "application/json"],
                                             body: ByteBuffer(string: report))
                let forged = #"{"turn_id":8,"speaker":"bob","session_id":"s1","outcome":"error","trace_id":"javascript:alert(1)","finished_at":1700000001}"#
                _ = try await client.execute(uri: "/api/turns", method: .post, headers: [.contentType: "application/json"],
                                             body: ByteBuffer(string: forged))
                let html = String(buffer: try await client.execute(uri: "/", method: .get).body)
                #expect(html.contains(#"<a class="trace-link" href="/traces/\#(F.traceId)"><code>\#(F.traceId)</code></a> · <a href="http://jaeger.test:16686/trace/\#(F.traceId)""#))
                #expect(html.contains(#"<span class="badge replied">replied</span>"#))
                #expect(!html.contains("javascript:"), "a trace id that is not one is not a link")
                #expect(html.contains(#"<span class="chip">discord</span> voice turn</td><td class="num">3.00 s</td><td class="num">60</td>"#))
            }
    }

    @Test("a 60-span waterfall renders within a page of bounded size")
    func size() {
        let html = TracePage.render(TraceWaterfall(F.voiceTurn(spans: 60)), links: PageLinks(requestHost: nil))
        #expect(html.components(separatedBy: #"<div class="span-row"#).count - 1 == 60)
        #expect(html.utf8.count < 120_000, "\(html.utf8.count) bytes")
    }
}

extension String {
    /// The text between the first `start` and the `end` after it.
    fileprivate func between(_ start: String, _ end: String) -> String? {
        guard let from = range(of: start), let to = self[from.upperBound...].range(of: end) else { return nil }
        return String(self[from.upperBound..<to.lowerBound])
    }
}
