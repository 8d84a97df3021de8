import AudioProcessorService
import DiscordService
import FleetTelemetry
import GuardrailsService
import LLMFlanService
import MonitoringDashboardService
import OrchestratorService
import ServiceKit
import STTService
import TestingUIService
import TTSBarkService

/// Which implementation serves which member of the fleet.
enum FleetDirectory {
    static func service(for member: FleetMember) -> any FleetService.Type {
        switch member {
        case .discord: DiscordService.self
        case .audioProcessor: AudioProcessorService.self
        case .stt: STTService.self
        case .orchestrator: OrchestratorService.self
        case .guardrails: GuardrailsService.self
        case .llm: LLMFlanService.self
        case .tts: TTSBarkService.self
        case .testingUI: TestingUIService.self
        case .monitoringDashboard: MonitoringDashboardService.self
        }
    }

    static var names: [String] { FleetMember.allCases.map(\.name) }

    /// Start order for `up`: leaves first, so callers find their peers already listening.
    static let startOrder: [FleetMember] = [.guardrails, .llm, .tts, .audioProcessor, .stt, .orchestrator,
                                            .discord, .testingUI, .monitoringDashboard]
}
