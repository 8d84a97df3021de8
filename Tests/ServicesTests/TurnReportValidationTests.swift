import FleetContracts
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
@testable import DiscordService
@testable import MonitoringDashboardService

/// The finding: POST /api/turns took `turn_id: -1` and `finished_at: 1e308` and showed them. Every
/// field is now checked; a refused report is a 422 in the fleet's error shape, counted in
/// http_server_errors_total, and never reaches the feed.
@Suite("Turn reports are validated")
struct TurnReportValidationTests {
    static let now = Date().timeIntervalSince1970
    static let good = #"{"turn_id":7,"speaker":"alice","session_id":"discord-alice-1","outcome":"replied","transcript":"hey atlas","response":"Hello!","end_to_end_seconds":1.4,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","finished_at":\#(now)}"#

    /// One field of the good report replaced.
    static func with(_ field: String, _ json: String) -> String {
        let pattern = try! NSRegularExpression(pattern: #""\#(field)":("[^"]*"|[^,}]*)"#)
        let range = NSRange(good.startIndex..., in: good)
        return pattern.stringByReplacingMatches(in: good, range: range,
                                                withTemplate: NSRegularExpression.escapedTemplate(for: "\"\(field)\":\(json)"))
    }

    static let bad: [String] = [
        with("turn_id", "-1"), with("finished_at", "1e308"), with("finished_at", "-5"),
        with("finished_at", "\(now + 86_400 * 30)"), with("end_to_end_seconds", "-0.5"),
        with("end_to_end_seconds", "1e300"), with("outcome", #""<script>""#), with("speaker", #""""#),
        with("speaker", "\"\(String(repeating: "a", count: 200))\""), with("speaker", #""bob\nforged""#),
        with("session_id", #""../../x y""#), with("trace_id", #""javascript:alert(1)""#),
        with("transcript", "\"\(String(repeating: "a", count: 5000))\""),
    ]

    @Test("a report with a field out of range is a 422 (400 for a missing speaker) and is not shown", arguments: bad)
    func refused(_ body: String) async throws {
        let fixture = try await DashboardFixture.app()
        try await fixture.application.test(.router) { client in
            try await client.execute(uri: "/api/turns", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: body)) { response in
                #expect([.unprocessableContent, .badRequest].contains(response.status), "\(body)")
                let answer = String(buffer: response.body)
                #expect(answer.contains(#""code":"unprocessable""#) || answer.contains(#""code":"bad_request""#))
            }
            try await client.execute(uri: "/api/status", method: .get) { response in
                #expect(!String(buffer: response.body).contains(#""turn_id""#), "a refused report reached the feed")
            }
        }
    }

    @Test("a good report is accepted")
    func accepted() async throws {
        try await DashboardFixture.app().application.test(.router) { client in
            try await client.execute(uri: "/api/turns", method: .post, headers: [.contentType: "application/json"],
                                     body: ByteBuffer(string: Self.good)) { response in
                #expect(response.status == .accepted)
            }
        }
    }

    @Test("the outcomes a report may carry are the bridge's")
    func outcomesAreTheBridges() {
        #expect(TurnReport.outcomes == Set(TurnOutcome.allCases.map(\.rawValue)))
    }
}
