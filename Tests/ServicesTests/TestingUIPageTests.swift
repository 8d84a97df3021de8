import Foundation
import Mustache
import Testing
@testable import TestingUIService

@Suite("testing-ui's page")
struct TestingUIPageTests {
    @Test("the templates parse")
    func template() throws {
        _ = try MustacheTemplate(string: TestingUIPage.templateText)
        _ = try MustacheTemplate(string: TestingUIPage.controlsTemplateText)
    }

    @Test("the page carries the load control (0 to 200) and the scenario panel, with the calls behind them")
    func controls() {
        let html = TestingUIPage.html(maxTextLength: 500)
        for element in [#"<section class="card controls" id="load-card">"#,
                        #"<input id="load-range" type="range" min="0" max="200""#,
                        #"<input id="load-number" type="number" min="0" max="200""#,
                        #"<button id="load-apply" type="button">Apply</button>"#, #"id="load-now""#, #"id="load-error""#,
                        #"<section class="card controls" id="scenarios-card">"#, #"<tbody id="scenarios">"#,
                        #"<button id="scenarios-reset""#, #"id="scenario-error""#,
                        #"call("PUT", "load""#, #"call("GET", "load")"#, #"call("GET", "scenarios")"#,
                        #"call("PUT", "scenarios/" + encodeURIComponent(scenario.key)"#,
                        #"call("POST", "scenarios/reset")"#, "setInterval(refreshScenarios, 2000)",
                        #"toggle.type = "checkbox""#, "scenario.unit", "scenario.summary", "row.error.textContent = error.message"] {
            #expect(html.contains(element), "the page lacks \(element)")
        }
        // The controls sit inside the page's main column.
        let controls = html.range(of: #"id="scenarios-card""#), main = html.range(of: "</main>")
        #expect(controls != nil && main != nil && controls!.upperBound < main!.lowerBound)
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
