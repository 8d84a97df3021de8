import ServiceKit
import Testing

@Suite("Trimming blanks")
struct BlanksTests {
    @Test("spaces and tabs go from both ends; inner ones, newlines and other spaces stay", arguments: [
        ("  application/json\t", "application/json"),
        ("\t a b \t", "a b"),
        ("", ""),
        (" \t ", ""),
        ("x", "x"),
        ("line\n", "line\n"),
        ("\u{00A0}nbsp ", "\u{00A0}nbsp"),
    ])
    func trims(input: String, expected: String) {
        #expect(String(input.trimmingBlanks()) == expected)
        #expect(String(input[...].trimmingBlanks()) == expected)
    }
}
