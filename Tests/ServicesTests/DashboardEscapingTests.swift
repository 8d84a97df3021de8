import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import MonitoringDashboardService

@Suite("monitoring-dashboard escapes every text it shows")
struct DashboardEscapingTests {
    static let script = "<script>alert(1)</script>"
    static let breakout = #""><img src=x onerror=alert(1)>"#
    static let hostile = script + breakout
    /// How each comes back: as text.
    static let escapedScript = "&lt;script&gt;alert(1)&lt;/script&gt;"
    static let escapedBreakout = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"

    /// A trace whose service name, span name, attribute, event and log body are all hostile.
    static var hostileTrace: TraceDetail {
        let event = StoredSpanEvent(name: hostile, timeUnixNano: TraceFixture.start, attributes: [hostile: hostile])
        return TraceDetail(traceId: TraceFixture.traceId, spans: [
            TraceFixture.span("0000000000000001", parent: nil, service: "discord", name: hostile, from: 0, to: 1,
                              attributes: ["transcript": hostile, hostile: "key"], events: [event]),
            TraceFixture.span("0000000000000002", parent: "0000000000000001", service: hostile, name: "/x", from: 0.1, to: 0.5,
                              error: true),
        ], logs: [TraceFixture.log(hostile, service: hostile, at: 0.2, span: "0000000000000002")])
    }

    static func expectEscaped(_ html: String, on page: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!html.contains(script), "\(page): a <script> came out as markup", sourceLocation: sourceLocation)
        #expect(!html.contains(breakout), "\(page): an attribute break-out came out as markup", sourceLocation: sourceLocation)
        #expect(!html.contains("<img"), "\(page): an <img> came out as markup", sourceLocation: sourceLocation)
        #expect(html.contains(escapedScript) && html.contains(escapedBreakout), "\(page): the hostile text is not shown as text",
                sourceLocation: sourceLocation)
    }

    @Test("on /: a turn's transcript, reply and speaker, a service name on the map, a trace's root")
    func dashboard() async throws {
        let telemetry = FakeTelemetry(traces: [Self.hostileTrace],
                                      edges: [ServiceEdge(caller: "discord", callee: Self.hostile, calls: 1, errors: 1)],
                                      lastError: Self.hostile)
        try await DashboardFixture.app(telemetry: telemetry).application.test(.router) { client in
            // The outcome and trace id must be real ones now (TurnReport.problem); the free texts stay hostile.
            let turn = TurnReport(turnId: 1, speaker: Self.hostile, sessionId: "s", outcome: "replied", transcript: Self.hostile,
                                  response: Self.hostile, endToEndSeconds: 1, traceId: TraceFixture.traceId, finishedAt: 1_700_000_000)
            let body = try JSONEncoder.fleet.encode(turn)
            let accepted = try await client.execute(uri: "/api/turns", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(bytes: body))
            #expect(accepted.status == .accepted)
            let html = String(buffer: try await client.execute(uri: "/", method: .get).body)
            Self.expectEscaped(html, on: "/")
            #expect(html.contains(#"data-edge="discord-&gt;\#(Self.escapedScript)\#(Self.escapedBreakout)""#))
            #expect(html.contains(#"<td class="text">\#(Self.escapedScript)\#(Self.escapedBreakout)</td>"#))
        }
    }

    @Test("on /traces and /traces/{id}: span names and attributes, events, service names, log bodies")
    func tracePages() async throws {
        try await DashboardFixture.app(telemetry: FakeTelemetry(traces: [Self.hostileTrace])).application.test(.router) { client in
            let list = String(buffer: try await client.execute(uri: "/traces", method: .get).body)
            Self.expectEscaped(list, on: "/traces")
            let waterfall = String(buffer: try await client.execute(uri: "/traces/\(TraceFixture.traceId)", method: .get).body)
            Self.expectEscaped(waterfall, on: "/traces/{id}")
            #expect(waterfall.contains(#"data-service="\#(Self.escapedScript)\#(Self.escapedBreakout)""#))
            #expect(waterfall.contains("<pre>\(Self.escapedScript)\(Self.escapedBreakout)</pre>"), "the log body")
            #expect(waterfall.contains("<dt>transcript</dt><dd>\(Self.escapedScript)\(Self.escapedBreakout)</dd>"))
            // A hostile service filter, and a hostile id on the 400 page.
            let filtered = String(buffer: try await client.execute(
                uri: "/traces?service=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
                method: .get).body)
            Self.expectEscaped(filtered, on: "/traces?service=")
            let refused = try await client.execute(uri: "/traces/%3Cscript%3Ealert(1)%3C%2Fscript%3E", method: .get)
            #expect(refused.status == .badRequest)
            #expect(!String(buffer: refused.body).contains(Self.script))
        }
    }
}
