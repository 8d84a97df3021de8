import FleetTelemetry
import Foundation
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
    /// JAEGER_UI_URL and GRAFANA_URL (empty: not configured): where the page's links go.
    var jaegerURL: String?
    var grafanaURL: String?
    /// DATA_DIR: the history's SQLite file lives there.
    var dataDirectory: String
    /// How far this process's port is from testing-ui's published one (`audio-fleet up
    /// --port-offset`), so links to the other pages shift the same way.
    var portOffset: Int

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
        jaegerURL = try Self.pageURL(settings, "jaeger.ui.url")
        grafanaURL = try Self.pageURL(settings, "grafana.url")
        dataDirectory = settings.dataDirectory
        portOffset = settings.port - FleetMember.testingUI.hostPort
    }

    /// An http(s) URL a page links to, or nil when unset or empty. (The parser answers `.some(nil)`
    /// for "set but empty", and nil for a value that is not such a URL.)
    private static func pageURL(_ settings: ServiceSettings, _ key: String) throws -> String? {
        try settings.reader.parsed(key, default: nil) { text -> String?? in
            if text.isEmpty { return .some(nil) }
            guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else { return nil }
            return .some(text)
        }
    }
}
