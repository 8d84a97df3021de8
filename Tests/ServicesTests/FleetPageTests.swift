import FleetTelemetry
import Foundation
import Mustache
import Testing
@testable import FleetPages

@Suite("the pages' shared frame and links")
struct FleetPageTests {
    static let links = PageLinks(requestHost: "localhost:8501")

    @Test("the frame's template parses")
    func template() throws {
        _ = try MustacheTemplate(string: FleetPage.templateText)
    }

    @Test("the frame holds the body, the stylesheet, the three pages' navigation with the current one marked")
    func renders() {
        for section in FleetPage.Section.allCases {
            let html = FleetPage.render(.init(title: "A <b>page</b>", section: section, links: Self.links,
                                              body: "<p id=body>hello</p>"))
            #expect(html.hasPrefix("<!doctype html>"))
            #expect(html.contains("<title>A &lt;b&gt;page&lt;/b&gt; · AudioFleet</title>"), "the title is escaped")
            #expect(html.contains("<h1>A &lt;b&gt;page&lt;/b&gt;</h1>"))
            #expect(html.contains("<p id=body>hello</p>"), "the body is inserted as it is")
            #expect(html.contains(".card {"), "the stylesheet is inline")
            #expect(html.components(separatedBy: #"aria-current="page""#).count - 1 == 1, "one page is current")
            let current = ["Voice bridge": FleetPage.Section.bridge, "Testing UI": .testingUI, "Monitoring": .dashboard]
            for (label, itsSection) in current {
                let url = itsSection == .bridge ? "http://localhost:8009" : itsSection == .testingUI ? "http://localhost:8080"
                    : "http://localhost:8501"
                let marked = #"<a href="\#(url)" aria-current="page">\#(label)</a>"#
                let plain = #"<a href="\#(url)">\#(label)</a>"#
                #expect(html.contains(itsSection == section ? marked : plain), "\(section): \(label)")
            }
            #expect(!html.contains("Jaeger") && !html.contains("Grafana"), "no external links unless configured")
            #expect(!html.contains("<script src") && !html.contains("rel=\"stylesheet\"") && !html.contains("src=\"http"), "nothing external")
        }
    }

    @Test("refreshSeconds sets the live refresh, never faster than once a second; none by default")
    func refresh() {
        func every(_ seconds: Double?) -> String {
            FleetPage.render(.init(title: "t", section: .dashboard, links: Self.links, body: "", refreshSeconds: seconds))
        }
        #expect(every(nil).contains("const every = 0;"))
        #expect(every(5).contains("const every = 5000;"))
        #expect(every(0.1).contains("const every = 1000;"))
    }

    @Test("a page's own script follows the frame's; Jaeger and Grafana are linked when configured")
    func scriptAndExternal() {
        let links = PageLinks(requestHost: "fleet.local", jaeger: "http://jaeger:16686", grafana: "http://grafana:3000")
        let html = FleetPage.render(.init(title: "t", section: .bridge, links: links, body: "", script: "start();"))
        #expect(html.contains("<script>start();</script>"))
        #expect(html.contains(#"<a href="http://jaeger:16686" target="_blank" rel="noopener">Jaeger</a>"#))
        #expect(html.contains(#"<a href="http://grafana:3000" target="_blank" rel="noopener">Grafana</a>"#))
    }

    @Test("links use the Host the browser used and the published ports, shifted by the port offset")
    func links() {
        let links = PageLinks(requestHost: "[::1]:9001", portOffset: 1000)
        #expect(links.bridge == "http://[::1]:9009")
        #expect(links.testingUI == "http://[::1]:9080")
        #expect(links.dashboard == "http://[::1]:9501")
        #expect(links.trace("abc") == "http://[::1]:9501/traces/abc")
        let jaeger = PageLinks(requestHost: "host", jaeger: "http://jaeger:16686/")
        #expect(jaeger.trace("abc") == "http://jaeger:16686/trace/abc")
        #expect(jaeger.waterfall("abc") == "http://host:8501/traces/abc")
        #expect(jaeger.jaegerTrace("abc") == "http://jaeger:16686/trace/abc")
        #expect(links.jaegerTrace("abc") == nil)
    }

    @Test("PageLinks.hostname refuses a forged Host header", arguments: [
        "evil.com/path", "evil.com\"><script>", "a b", "user@evil.com", "evil.com?x=1", "[::1", "", ":8080",
        "evil.com:80/x", String(repeating: "a", count: 300), "hôst.example",
    ])
    func forgedHost(header: String) {
        #expect(PageLinks.hostname(of: header) == nil, "\(header)")
        let links = PageLinks(requestHost: header)
        for url in [links.bridge, links.testingUI, links.dashboard] {
            #expect(url.hasPrefix("http://127.0.0.1:"), "\(header) -> \(url)")
            #expect(!url.contains("\"") && !url.contains("<") && !url.contains("/path") && !url.contains("@"))
        }
    }

    @Test("PageLinks.hostname keeps a plain host, an address, and a bracketed IPv6 address")
    func plainHosts() {
        #expect(PageLinks.hostname(of: "localhost:8501") == "localhost")
        #expect(PageLinks.hostname(of: "10.0.0.7") == "10.0.0.7")
        #expect(PageLinks.hostname(of: "fleet-box.lan:80") == "fleet-box.lan")
        #expect(PageLinks.hostname(of: "[fe80::1]:8501") == "[fe80::1]")
        #expect(PageLinks.hostname(of: nil) == nil)
    }

    @Test("link settings: the port offset from the listening port, and JAEGER_UI_URL / GRAFANA_URL checked")
    func settings() {
        #expect(PageLinkSettings(member: .monitoringDashboard, listeningOn: 8501, jaeger: nil, grafana: nil).portOffset == 0)
        #expect(PageLinkSettings(member: .monitoringDashboard, listeningOn: 9501, jaeger: nil, grafana: nil).portOffset == 1000)
        // discord listens on its container port in compose (8001) and on 8009 + offset natively.
        #expect(PageLinkSettings(member: .discord, listeningOn: 8001, jaeger: nil, grafana: nil).portOffset == 0)
        #expect(PageLinkSettings(member: .discord, listeningOn: 8109, jaeger: nil, grafana: nil).portOffset == 100)
        let settings = PageLinkSettings(portOffset: 100, jaeger: "http://j:16686", grafana: nil)
        #expect(settings.links(requestHost: "h:1").bridge == "http://h:8109")
        #expect(settings.links(requestHost: "h:1").jaeger == "http://j:16686")

        #expect(PageLinks.parseExternalURL("") == "")
        #expect(PageLinks.parseExternalURL("http://localhost:16686/") == "http://localhost:16686")
        #expect(PageLinks.parseExternalURL("https://grafana.example/g") == "https://grafana.example/g")
        for bad in ["localhost:16686", "ftp://x", "javascript:alert(1)", "http://", "not a url"] {
            #expect(PageLinks.parseExternalURL(bad) == nil, "\(bad)")
        }
    }
}
