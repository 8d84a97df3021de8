import FleetTelemetry
import Testing

/// The alerts' runbook links and the scenario page: every `runbook_url` of a rule points at a
/// section that exists in docs/operations/scenarios.md, every alert of the scenario rules has one,
/// and the page's table has a row for every scenario in the catalog.
@Suite("Alert runbooks and the scenario page")
struct RunbookTests {
    static let page = "docs/operations/scenarios.md"
    static let scenarioRules = "config/prometheus-rules/audio-orchestrator-scenarios.rules.yml"

    /// GitHub's anchor for a heading: lower case, spaces become `-`, other punctuation is dropped.
    static func anchor(_ heading: String) -> String {
        String(heading.lowercased().compactMap { c -> Character? in
            if c == " " { return "-" }
            return c.isLetter || c.isNumber || c == "-" || c == "_" ? c : nil
        })
    }

    static func pageAnchors() throws -> Set<String> {
        let headings = try StackFiles.text(page).split(separator: "\n").filter { $0.hasPrefix("#") }
        return Set(headings.map { anchor(String($0.drop { $0 == "#" }).trimmingSpaces) })
    }

    /// (file, alert name, runbook_url or nil) for every alerting rule.
    static func alertRunbooks() throws -> [(file: String, alert: String, url: String?)] {
        var runbooks: [(file: String, alert: String, url: String?)] = []
        for file in StackFiles.ruleFiles {
            let groups = try StackFiles.yaml(file)["groups"] as? [[String: Any]] ?? []
            for rule in groups.flatMap({ $0["rules"] as? [[String: Any]] ?? [] }) {
                guard let alert = rule["alert"] as? String else { continue }
                runbooks.append((file, alert, (rule["annotations"] as? [String: Any])?["runbook_url"] as? String))
            }
        }
        return runbooks
    }

    @Test("every runbook_url points at a section of docs/operations/scenarios.md")
    func runbookLinksResolve() throws {
        let anchors = try Self.pageAnchors()
        let linked = try Self.alertRunbooks().compactMap { rule in rule.url.map { (rule.alert, $0) } }
        #expect(linked.count >= 19, "expected the scenario alerts and the STT ones, found \(linked.count)")
        for (alert, url) in linked {
            let parts = url.split(separator: "#", maxSplits: 1).map(String.init)
            #expect(parts.first == Self.page, "\(alert): runbook_url \(url) is not on \(Self.page)")
            #expect(parts.count == 2 && anchors.contains(parts[1]), "\(alert): \(url) has no such section")
        }
    }

    @Test("every alert of the scenario rules has a runbook_url")
    func scenarioAlertsHaveRunbooks() throws {
        let scenarioAlerts = try Self.alertRunbooks().filter { $0.file == Self.scenarioRules }
        #expect(!scenarioAlerts.isEmpty, "\(Self.scenarioRules) has no alerts")
        for rule in scenarioAlerts {
            #expect(rule.url != nil, "\(rule.alert) has no runbook_url")
        }
    }

    @Test("the scenario page has a table row for every scenario")
    func pageNamesEveryScenario() throws {
        let rows = try StackFiles.text(Self.page).split(separator: "\n").filter { $0.hasPrefix("| `") }
        for key in Scenario.keys {
            #expect(rows.contains { $0.hasPrefix("| `\(key)` |") }, "\(Self.page) has no row for \(key)")
        }
    }

    // MARK: The check can fail

    @Test("anchors are GitHub's")
    func anchors() {
        #expect(Self.anchor("ScenarioActive") == "scenarioactive")
        #expect(Self.anchor("Load and barge-in") == "load-and-barge-in")
        #expect(Self.anchor("Where the flags live") == "where-the-flags-live")
    }
}
