import Mustache
import Testing
@testable import TestingUIService

@Suite("testing-ui's page")
struct TestingUIPageTests {
    @Test("the template parses")
    func template() throws {
        _ = try MustacheTemplate(string: TestingUIPage.templateText)
    }

    @Test("the text limit is on the text box and its counter; the form, players and scripts are there")
    func page() {
        let html = TestingUIPage.html(maxTextLength: 123)
        for element in [#"<textarea id="text" maxlength="123" required>"#, #"<span id="count">0</span> / 123</div>"#,
                        #"<form id="form" class="card">"#, #"<audio id="input-audio" controls>"#,
                        #"<audio id="reply-audio" controls>"#, #"fetch("api/run""#, #"fetch("api/voices")"#,
                        "Hey Atlas, what's the weather like today?"] {
            #expect(html.contains(element), "the page lacks \(element)")
        }
        #expect(!html.contains("{{"), "a template tag was left in the page")
        #expect(html.hasPrefix("<!doctype html>") && html.hasSuffix("</html>"))
    }
}
