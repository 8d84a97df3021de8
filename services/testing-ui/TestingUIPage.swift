import FleetContracts
import Mustache

/// The testing page: one self-contained HTML file (no external assets — the fleet may run with no
/// internet). It posts to api/run and shows what each stage did, and carries the fleet's controls:
/// the voice bridge's load and the fault scenarios. Text from the fleet is set with `textContent`,
/// never parsed as HTML.
enum TestingUIPage {
    /// What the page shows that the configuration decides.
    struct Model {
        /// TESTING_UI_MAX_TEXT_LENGTH: the text box's limit and its counter's maximum.
        let maxTextLength: Int
        /// The load control's bounds: the speaker counts the bridge accepts.
        let loadMin = LoadChange.speakerRange.lowerBound
        let loadMax = LoadChange.speakerRange.upperBound
    }

    /// Parsed once. The texts are constants of this module, so a template that does not parse is a
    /// programming error; TestingUIPageTests parses them and fails first. The controls are a
    /// partial of their own (`{{> controls}}`), so each template stays one readable screenful.
    static let library = MustacheLibrary(templates: [
        "page": try! MustacheTemplate(string: templateText),
        "controls": try! MustacheTemplate(string: controlsTemplateText),
    ])

    static func html(maxTextLength: Int) -> String {
        library.render(Model(maxTextLength: maxTextLength), withTemplate: "page") ?? ""
    }
}
