import Foundation

/// The nine services, with the ports and variable names a user of the original already knows.
public enum FleetMember: String, CaseIterable, Sendable, Codable {
    case discord
    case audioProcessor = "audio-processor"
    case stt
    case orchestrator
    case guardrails
    case llm = "llm-flan"
    case tts = "tts-bark"
    case testingUI = "testing-ui"
    case monitoringDashboard = "monitoring-dashboard"

    /// The `service.name`, CLI name and metric label value.
    public var name: String { rawValue }

    /// The original compose file's host port; `audio-fleet up` binds these on 127.0.0.1.
    public var hostPort: Int {
        switch self {
        case .discord: return 8009
        case .audioProcessor: return 8010
        case .stt: return 8011
        case .orchestrator: return 8220
        case .guardrails: return 9310
        case .llm: return 8110
        case .tts: return 7120
        case .testingUI: return 8080
        case .monitoringDashboard: return 8501
        }
    }

    /// The original compose file's container port.
    public var containerPort: Int {
        switch self {
        case .discord: return 8001
        case .audioProcessor: return 9100
        case .stt: return 9000
        case .orchestrator: return 8200
        case .guardrails: return 9300
        case .llm: return 8100
        case .tts: return 7100
        case .testingUI, .monitoringDashboard: return hostPort
        }
    }

    /// The configuration key of this service's base URL for its callers (`stt.url` is STT_URL).
    public var urlKey: String {
        switch self {
        case .audioProcessor: return "audio.processor.url"
        case .llm: return "llm.url"
        case .tts: return "tts.url"
        case .testingUI: return "testing.ui.url"
        case .monitoringDashboard: return "monitoring.dashboard.url"
        default: return "\(rawValue).url"
        }
    }

    /// The environment variable behind `urlKey`.
    public var urlVariable: String { urlKey.uppercased().replacingOccurrences(of: ".", with: "_") }

    /// Where callers find it by default: its host port on loopback, as `audio-fleet up` runs it.
    public var defaultURL: String { "http://127.0.0.1:\(hostPort)" }
}
