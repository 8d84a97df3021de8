import Logging
import FleetTelemetry
import Synchronization
import Testing

/// Collects what a stream log handler writes, so a test can count the lines.
private final class CapturedLines: TextOutputStream, Sendable {
    private let text = Mutex("")
    func write(_ string: String) { text.withLock { $0 += string } }
    var lines: [Substring] { text.withLock { $0 }.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
}

/// The log-forging finding: a newline in a logged value (an escalation's reason) wrote a line of
/// its own into var/log/<service>.log, and ANSI escapes went through as they were.
@Suite("Log lines cannot be forged")
struct LogLineTests {
    @Test("a newline and an ANSI escape in the message and metadata stay inside one escaped line")
    func oneCallIsOneLine() {
        let captured = CapturedLines()
        var logger = Logger(label: "guardrails") {
            Telemetry.lineHandler(label: $0, level: .info, stream: captured)
        }
        logger[metadataKey: "session"] = "abc\ninjected=1"
        logger.warning("escalation\n2026-01-01T00:00:00 critical forged : done",
                       metadata: ["reason": "late\n2026-01-01T00:00:00 info forged line", "colour": "\u{1b}[31mred",
                                  "nested": ["x\r": ["\u{2028}", "tab\there"]]])
        let lines = captured.lines
        #expect(lines.count == 1)
        let line = String(lines.first ?? "")
        #expect(line.contains(#"escalation\n2026-01-01T00:00:00 critical forged"#))
        #expect(line.contains(#"late\n2026-01-01T00:00:00 info forged line"#))
        #expect(line.contains(#"\u{1B}[31mred"#))
        #expect(line.contains(#"abc\ninjected=1"#))
        // swift-log prints nested values quoted (Swift string literals), so their escapes show doubled.
        #expect(line.contains(#"\\u{2028}"#) && line.contains(#"tab\\there"#) && line.contains(#"x\\r"#), "\(line)")
        #expect(!line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" })
    }

    @Test("an attached error's description is escaped too")
    func errorIsEscaped() {
        struct Hostile: Error, CustomStringConvertible { var description: String { "bad\nforged line" } }
        let captured = CapturedLines()
        let logger = Logger(label: "t") { Telemetry.lineHandler(label: $0, level: .info, stream: captured) }
        logger.error("failed", error: Hostile())
        #expect(captured.lines.count == 1)
    }

    @Test("plain text is left as it is; a backslash is doubled so escapes stay unambiguous")
    func plainText() {
        #expect(LogLineEscaping.escape("turn ok: 42 ms") == "turn ok: 42 ms")
        #expect(LogLineEscaping.escape(#"a\nb"#) == #"a\\nb"#)
        #expect(LogLineEscaping.escape("\u{0}\u{85}\u{202E}") == #"\u{0}\u{85}\u{202E}"#)
    }
}
