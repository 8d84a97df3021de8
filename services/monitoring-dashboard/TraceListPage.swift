import FleetPages
import FleetTelemetry
import Foundation
import Mustache

/// GET /traces: the newest traces of the embedded store, optionally only those with a span of
/// one service, each linking to its waterfall (and to Jaeger when configured). The list is a
/// live part, refetched every poll interval. Unfiltered, it leaves out the traces of the
/// dashboard's own page views, which every open page adds at each refresh.
enum TraceListPage {
    static let template = try! MustacheTemplate(string: templateText)
    /// How many traces the page lists.
    static let limit = 100

    static func render(_ traces: Result<[TraceSummary], any Error>, service: String?, hiddenOwn: Int = 0,
                       links: PageLinks, refreshSeconds: Double) -> String {
        FleetPage.render(.init(title: "Traces", section: .dashboard, links: links,
                               body: template.render(Model(traces, service: service, hiddenOwn: hiddenOwn, links: links)),
                               refreshSeconds: refreshSeconds))
    }

    /// The list page, display-ready.
    struct Model {
        let serviceOptions: [ServiceOption]
        let filtered: Bool
        let filterService: String
        let listRows: [DashboardPage.TraceRow]
        let listError: String?
        let shown: Int
        /// How many of the dashboard's own page views were left out (shown with its filter).
        let hiddenOwn: Int
        let hasHiddenOwn: Bool

        init(_ traces: Result<[TraceSummary], any Error>, service: String?, hiddenOwn: Int, links: PageLinks) {
            let names = FleetMember.allCases.map(\.name)
            serviceOptions = names.map { ServiceOption(optionName: $0, selected: $0 == service) }
            filtered = service != nil
            filterService = service ?? ""
            switch traces {
            case .success(let summaries):
                listRows = summaries.map { DashboardPage.TraceRow($0, links: links) }
                listError = nil
            case .failure(let error):
                listRows = []
                listError = "The traces could not be read: \(error)"
            }
            shown = listRows.count
            self.hiddenOwn = hiddenOwn
            hasHiddenOwn = hiddenOwn > 0
        }
    }

    /// A service of the filter's menu.
    struct ServiceOption {
        let optionName: String
        let selected: Bool
    }

    static let templateText = """
<form class="inline" method="get" action="/traces"><label for="service">Traces with a span of</label>
<select id="service" name="service"><option value="">any service</option>\
{{#serviceOptions}}<option{{#selected}} selected{{/selected}}>{{optionName}}</option>{{/serviceOptions}}</select>
<button class="secondary">Show</button> <a href="/api/traces">as JSON</a></form>

<section class="card" id="trace-list" data-live>
  <h2>{{shown}} newest traces{{#filtered}} with a span of {{filterService}}{{/filtered}}</h2>
  <table>
    <thead><tr><th>Started</th><th>Root span</th><th class="num">Duration</th><th class="num">Spans</th><th class="num">Errors</th>\
<th class="num">Services</th><th>Trace</th></tr></thead>
    <tbody>
{{#listRows}}
<tr><td>{{traceStarted}}</td><td><span class="chip">{{traceRootService}}</span> {{traceRoot}}</td><td class="num">{{traceDuration}}</td>\
<td class="num">{{traceSpans}}</td><td class="num">{{#traceFailed}}<span class="error-text">{{traceErrors}}</span>{{/traceFailed}}\
{{^traceFailed}}0{{/traceFailed}}</td><td class="num">{{traceServices}}</td>\
<td><a class="trace-link" href="/traces/{{traceId}}"><code>{{traceId}}</code></a>\
{{#traceJaeger}} · <a href="{{.}}" target="_blank" rel="noopener">Jaeger</a>{{/traceJaeger}}</td></tr>
{{/listRows}}
{{^listRows}}<tr><td colspan="7" class="muted">No traces yet: they arrive a few seconds after a request.</td></tr>{{/listRows}}
    </tbody>
  </table>
{{#listError}}<p class="error-text">{{.}}</p>{{/listError}}
{{#hasHiddenOwn}}<p class="muted small">{{hiddenOwn}} traces of the dashboard's own pages left out: \
<a href="/traces?service=monitoring-dashboard">show them</a>.</p>{{/hasHiddenOwn}}
</section>
"""
}

extension TraceSummary {
    /// A trace of the dashboard alone: a page view or an API read of its own, not fleet traffic.
    var isDashboardOwn: Bool { services == [FleetMember.monitoringDashboard.name] }
    /// A call between services: what the overview lists. A page view or a lone GET is one
    /// service's span and stays on /traces.
    var crossesServices: Bool { services.count > 1 }
}

/// A page that only says something went wrong (a malformed or unknown trace id, a store that
/// cannot be read), in the frame, so the person can go on from there.
enum MessagePage {
    static let template = try! MustacheTemplate(string: """
<section class="card"><h2>{{heading}}</h2><p>{{message}}</p>
<p><a href="/traces">Recent traces</a> · <a href="/">Monitoring</a></p></section>
""")

    /// What went wrong, in a heading and a sentence.
    struct Model {
        let heading: String
        let message: String
    }

    static func render(title: String, message: String, links: PageLinks) -> String {
        FleetPage.render(.init(title: title, section: .dashboard, links: links,
                               body: template.render(Model(heading: title, message: message))))
    }
}
