import Mustache

/// The testing page: one self-contained HTML file (no external assets — the fleet may run with no
/// internet). It posts to api/run and shows what each stage did; text from the fleet is set with
/// `textContent`, never parsed as HTML.
enum TestingUIPage {
    /// What the page shows that the configuration decides.
    struct Model {
        /// TESTING_UI_MAX_TEXT_LENGTH: the text box's limit and its counter's maximum.
        let maxTextLength: Int
    }

    /// Parsed once. The text is a constant of this module, so a template that does not parse is a
    /// programming error; TestingUIPageTests parses it and fails first.
    static let template = try! MustacheTemplate(string: templateText)

    static func html(maxTextLength: Int) -> String {
        template.render(Model(maxTextLength: maxTextLength))
    }
}
