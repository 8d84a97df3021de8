import Mustache
import ServiceKit

/// The frame every AudioFleet page shares — the voice bridge's, testing-ui's and the monitoring
/// dashboard's — so the three look and move alike: one stylesheet, one header with the same
/// navigation, and one small script that keeps the live parts fresh.
///
/// A page renders its own body from its own Mustache template (where `{{ }}` escapes every piece
/// of user text) and hands the result here; the frame adds only constants and the links.
public enum FleetPage {
    /// What the frame needs besides the body.
    public struct Frame: Sendable {
        /// The `<title>` and the header's heading.
        public var title: String
        /// Which navigation entry is this page.
        public var section: Section
        public var links: PageLinks
        /// The page's body: HTML its own template rendered (and escaped).
        public var body: String
        /// The page's own script, if any: a constant of the page's module, never user text.
        public var script: String
        /// Every element with a `data-live` attribute and an `id` is refetched and replaced this
        /// often (from the same URL, rendered anew on the server); nil for a page that stays put.
        public var refreshSeconds: Double?

        public init(title: String, section: Section, links: PageLinks, body: String, script: String = "",
                    refreshSeconds: Double? = nil) {
            self.title = title
            self.section = section
            self.links = links
            self.body = body
            self.script = script
            self.refreshSeconds = refreshSeconds
        }
    }

    public enum Section: String, Sendable, CaseIterable {
        case bridge, testingUI, dashboard
    }

    /// Parsed once; the text is a constant of this module (FleetPageTests parses it first).
    static let template = try! MustacheTemplate(string: templateText)

    public static func render(_ frame: Frame) -> String {
        template.render(Model(frame))
    }

    struct Model {
        let title: String
        let navigation: [NavigationItem]
        let external: [NavigationItem]
        let body: String
        let script: String
        let style: String
        let refreshMilliseconds: Int
        /// FLEET_API_TOKEN, for the page's own mutating requests; nil (no meta tag) when unset.
        let apiToken: String?

        init(_ frame: Frame) {
            title = frame.title
            navigation = [
                NavigationItem(label: "Voice bridge", url: frame.links.bridge, current: frame.section == .bridge),
                NavigationItem(label: "Testing UI", url: frame.links.testingUI, current: frame.section == .testingUI),
                NavigationItem(label: "Monitoring", url: frame.links.dashboard, current: frame.section == .dashboard),
            ]
            external = [
                frame.links.jaeger.map { NavigationItem(label: "Jaeger", url: $0, current: false) },
                frame.links.grafana.map { NavigationItem(label: "Grafana", url: $0, current: false) },
            ].compactMap { $0 }
            body = frame.body
            script = frame.script
            apiToken = FleetAPIToken.current
            style = FleetPage.style
            // At most once a second, however fast the service polls: each refresh renders the page.
            refreshMilliseconds = frame.refreshSeconds.map { max(1000, Int(($0 * 1000).rounded())) } ?? 0
        }
    }

    struct NavigationItem {
        let label: String
        let url: String
        let current: Bool
    }
}
