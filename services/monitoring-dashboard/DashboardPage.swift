import Mustache

/// The dashboard page: one self-contained HTML file (no external assets — the fleet may run with
/// no internet) that fetches /api/status every poll interval and redraws. Text from services is
/// set with `textContent`, never parsed as HTML.
enum DashboardPage {
    /// What the page says that depends on the configuration.
    struct Model {
        /// PROMETHEUS_URL is set, so the quantiles come from Prometheus while it answers.
        let quantilesFromPrometheus: Bool
    }

    /// Parsed once. The text is a constant of this module, so a template that does not parse is a
    /// programming error; DashboardPageTests parses it and fails first.
    static let template = try! MustacheTemplate(string: templateText)

    static func render(_ model: Model) -> String {
        template.render(model)
    }
}
