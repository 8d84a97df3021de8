import ServiceKit

/// testing-ui's settings.
struct TestingUIConfig: Sendable {
    /// TESTING_UI_MAX_TEXT_LENGTH (characters, default 500): the longest sentence a run accepts,
    /// about 30 s of speech — well inside the guardrails' 1000-character limit.
    var maxTextLength: Int
    /// TESTING_UI_PEER_TIMEOUT (seconds, default 30): how long each peer call may take. The
    /// orchestrator's answer includes the LLM and TTS, several seconds at realistic latencies.
    var peerTimeout: Duration

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        maxTextLength = try reader.parsed("testing.ui.max.text.length", default: 500) { text in
            Int(text).flatMap { (1...1000).contains($0) ? $0 : nil }
        }
        peerTimeout = try reader.parsed("testing.ui.peer.timeout", default: .seconds(30)) { text in
            Double(text).flatMap { $0 > 0 && $0 <= 600 ? Duration.milliseconds(Int64($0 * 1000)) : nil }
        }
    }
}
