import FleetContracts
import FleetPages
import Foundation
import Mustache

/// GET /: the fleet at a glance, rendered on the server in the shared frame — the health matrix
/// with each service's traffic charts, the headline numbers, the service map, the latest voice
/// turns and traces, and the fault scenarios. The live parts are refetched by the frame every
/// poll interval, so the page needs no script of its own; every piece of text goes through the
/// template's `{{ }}`, which escapes it.
enum DashboardPage {
    /// Parsed once. The text is a constant of this module, so a template that does not parse is a
    /// programming error; MonitoringDashboardTests parses it and fails first.
    static let template = try! MustacheTemplate(string: templateText)

    /// Everything one rendering reads, gathered by the controller.
    struct Inputs {
        var status: FleetStatus
        var history: TrafficHistory
        var scenarios: ScenarioList
        /// The service map's edges, or why they could not be read.
        var edges: Result<[ServiceEdge], any Error>
        var traces: Result<[TraceSummary], any Error>
        var telemetry: TelemetryStoreStatus
        var links: PageLinks
        /// PROMETHEUS_URL is set, so the quantiles come from Prometheus while it answers.
        var quantilesFromPrometheus: Bool
        var now: Date
    }

    static func render(_ inputs: Inputs) -> String {
        FleetPage.render(.init(title: "Monitoring", section: .dashboard, links: inputs.links,
                               body: template.render(Model(inputs)),
                               refreshSeconds: inputs.status.pollIntervalSeconds))
    }
}
