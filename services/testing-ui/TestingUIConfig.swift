import FleetPages
import FleetTelemetry
import ServiceKit

/// testing-ui's settings.
struct TestingUIConfig: Sendable {
    /// TESTING_UI_MAX_TEXT_LENGTH (characters, default 500): the longest sentence a run accepts,
    /// about 30 s of speech — well inside the guardrails' 1000-character limit.
    var maxTextLength: Int
    /// TESTING_UI_PEER_TIMEOUT (seconds, default 30): how long each peer call may take. The
    /// orchestrator's answer includes the LLM and TTS, several seconds at realistic latencies.
    var peerTimeout: Duration
    /// TESTING_UI_HISTORY (runs, default 200): how many runs the history keeps, with their audio;
    /// older ones are pruned as each new one is stored.
    var historyLimit: Int
    /// TESTING_UI_MAX_UPLOAD_BYTES (default 8 MiB): the largest audio file a run accepts. A minute
    /// of 48 kHz 16-bit mono WAV is 5.5 MiB, so a minute of anything a browser records fits.
    var maxUploadBytes: Int
    /// TESTING_UI_MAX_AUDIO_SECONDS (default 60): the longest uploaded audio a run accepts.
    var maxAudioSeconds: Double
    /// DATA_DIR: the history's SQLite file lives there.
    var dataDirectory: String
    /// The port offset, JAEGER_UI_URL and GRAFANA_URL, for the page's links.
    var pageLinks: PageLinkSettings

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        maxTextLength = try reader.parsed("testing.ui.max.text.length", default: 500) { text in
            Int(text).flatMap { (1...1000).contains($0) ? $0 : nil }
        }
        peerTimeout = try reader.parsed("testing.ui.peer.timeout", default: .seconds(30)) { text in
            Double(text).flatMap { $0 > 0 && $0 <= 600 ? Duration.milliseconds(Int64($0 * 1000)) : nil }
        }
        historyLimit = try reader.parsed("testing.ui.history", default: 200) { text in
            Int(text).flatMap { (1...10_000).contains($0) ? $0 : nil }
        }
        maxUploadBytes = try reader.parsed("testing.ui.max.upload.bytes", default: 8 * 1024 * 1024) { text in
            Int(text).flatMap { (1024...(64 * 1024 * 1024)).contains($0) ? $0 : nil }
        }
        maxAudioSeconds = try reader.parsed("testing.ui.max.audio.seconds", default: 60) { text in
            Double(text).flatMap { $0 >= 1 && $0 <= 600 ? $0 : nil }
        }
        dataDirectory = settings.dataDirectory
        pageLinks = try PageLinkSettings(member: .testingUI, settings: settings)
    }
}
