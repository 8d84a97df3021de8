import FleetPages
import Mustache

/// The testing page, rendered on the server inside the fleet's shared frame (`FleetPage`): a form
/// to run one turn through the real fleet from typed text, a phrase, an uploaded file or the
/// microphone; the run's result; the history of runs; and the fleet's controls (the voice
/// bridge's load, the fault scenarios).
///
/// Every piece of text a user or the fleet produced goes through `{{ }}`, which escapes it. The
/// page's script builds no markup from such text: after a run it fetches the run's own page
/// (/runs/{id}, rendered here) and swaps in its `#run` element.
enum TestingUIPage {
    /// Parsed once. The texts are constants of this module, so a template that does not parse is a
    /// programming error; TestingUIPageTests parses them and fails first. Each part is a partial of
    /// its own (`{{> run}}`), so each template stays one readable screenful.
    static let library = MustacheLibrary(templates: [
        "page": try! MustacheTemplate(string: templateText),
        "run": try! MustacheTemplate(string: runTemplateText),
        "run-page": try! MustacheTemplate(string: runPageTemplateText),
        "history": try! MustacheTemplate(string: historyTemplateText),
        "controls": try! MustacheTemplate(string: controlsTemplateText),
    ])

    /// The history part refreshes itself this often (the frame refetches the page and swaps it).
    static let refreshSeconds = 5.0

    /// GET /: the whole page.
    static func html(_ model: PageModel, links: PageLinks) -> String {
        FleetPage.render(.init(title: "Testing UI", section: .testingUI, links: links,
                               body: library.render(model, withTemplate: "page") ?? "",
                               script: script + controlsScript, refreshSeconds: refreshSeconds))
    }

    /// GET /runs/{id}: one run's page; its `#run` element is what the main page swaps in.
    static func runHTML(_ run: RunView, links: PageLinks) -> String {
        FleetPage.render(.init(title: "Run #\(run.id)", section: .testingUI, links: links,
                               body: library.render(run, withTemplate: "run-page") ?? ""))
    }
}
