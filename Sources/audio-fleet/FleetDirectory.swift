import AudioProcessorService
import DiscordService
import GuardrailsService
import LLMFlanService
import MonitoringDashboardService
import OrchestratorService
import STTService
import ServiceKit
import TTSBarkService
import TestingUIService

/// Which implementation serves which member of the fleet. (Metatypes are not Sendable, but this
/// table is a constant, written once and only read.)
enum FleetDirectory {
    nonisolated(unsafe) static let services: [FleetMember: any FleetService.Type] = [
        .discord: DiscordService.self,
        .audioProcessor: AudioProcessorService.self,
        .stt: STTService.self,
        .orchestrator: OrchestratorService.self,
        .guardrails: GuardrailsService.self,
        .llm: LLMFlanService.self,
        .tts: TTSBarkService.self,
        .testingUI: TestingUIService.self,
        .monitoringDashboard: MonitoringDashboardService.self,
    ]

    static var names: [String] { FleetMember.allCases.map(\.name) }

    /// Start order for `up`: leaves first, so callers find their peers already listening.
    static let startOrder: [FleetMember] = [.guardrails, .llm, .tts, .audioProcessor, .stt, .orchestrator,
                                            .discord, .testingUI, .monitoringDashboard]
}
