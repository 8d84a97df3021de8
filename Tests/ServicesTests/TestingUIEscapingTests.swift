import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import TestingUIService

/// Text a user might paste comes back as text: escaped on every page that shows it (the main
/// page's history, the run's page), and verbatim in the JSON API.
@Suite("testing-ui escapes what users type")
struct TestingUIEscapingTests {
    static let script = "<script>alert(1)</script>"
    static let attribute = #""><img src=x onerror=alert(1)>"#
    static let text = "Hey Atlas \(script) and \(attribute) there"
    static let session = "s\(attribute)"
    /// The same strings as `{{ }}` writes them.
    static let escapedScript = "&lt;script&gt;alert(1)&lt;/script&gt;"
    static let escapedAttribute = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"

    static func expectEscaped(_ html: String, _ place: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!html.contains(script) && !html.contains(attribute) && !html.contains("<img src=x"),
                "\(place) has the raw text", sourceLocation: sourceLocation)
        #expect(html.contains(escapedScript) && html.contains(escapedAttribute),
                "\(place) does not show the text escaped", sourceLocation: sourceLocation)
    }

    @Test("typed text and the session id: escaped on the page's history and the run's page, verbatim in JSON")
    func escaped() async throws {
        let body = try String(decoding: JSONEncoder.fleet.encode(RunRequest(text: Self.text, sessionId: Self.session)),
                              as: UTF8.self)
        try await TestingUIHTTPTests.test { client in
            let run = try await TestingUIHTTPTests.post(client, body)
            #expect(run.status == .ok, "\(String(buffer: run.body))")
            let result = try JSONDecoder.fleet.decode(RunResult.self, from: Data(run.body.readableBytesView))
            #expect(result.text == Self.text && result.transcript == Self.text && result.sessionId == Self.session)
            #expect(result.response == "You said: \(Self.text)")

            let page = String(buffer: try await client.execute(uri: "/", method: .get).body)
            Self.expectEscaped(page, "the page (history)")
            let history = try #require(page.range(of: #"<section id="history""#))
            #expect(page[history.lowerBound...].contains(Self.escapedScript), "the history row shows the text")

            let runPage = String(buffer: try await client.execute(uri: "/runs/1", method: .get).body)
            Self.expectEscaped(runPage, "the run's page")
            #expect(runPage.contains(#"<dd class="session">s&quot;&gt;&lt;img src=x onerror=alert(1)&gt;, turn 1</dd>"#))
            #expect(runPage.contains(#"<dd class="typed">Hey Atlas &lt;script&gt;"#))

            let record = try JSONDecoder.fleet.decode(RunRecord.self,
                                                      from: Data(try await client.execute(uri: "/api/runs/1", method: .get).body.readableBytesView))
            #expect(record.text == Self.text && record.transcript == Self.text && record.sessionId == Self.session)
            let list = try JSONDecoder.fleet.decode(RunList.self,
                                                    from: Data(try await client.execute(uri: "/api/runs", method: .get).body.readableBytesView))
            #expect(list.runs.first?.response == "You said: \(Self.text)")
        }
    }

    @Test("the refused text's error JSON carries what was sent as data, not markup")
    func refusedVoice() async throws {
        try await TestingUIHTTPTests.test { client in
            let response = try await client.execute(uri: "/api/run/audio?voice=%3Cscript%3E", method: .post,
                                                    headers: [.contentType: "audio/wav"], body: ByteBuffer(string: "x"))
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let error = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: [String: String]]
            #expect(error?["error"]?["message"]?.contains("Unknown voice '<script>'") == true)
        }
    }
}
