import FleetContracts
import Hummingbird
import ServiceKit
import ServiceLifecycle

/// testing-ui: type a sentence, hear it spoken, and watch it go through the real fleet — audio
/// processing, speech recognition, guardrails, the LLM and TTS — to a spoken reply (the original
/// was a Gradio pipeline tester).
public enum TestingUIService: FleetService {
    public static let member = FleetMember.testingUI

    public static func build(routes: RouterGroup<BasicRequestContext>, runtime: ServiceRuntime) async throws -> [any Service] {
        let config = try TestingUIConfig(settings: runtime.settings)
        let audioProcessor = runtime.client(for: .audioProcessor, timeout: config.peerTimeout)
        let stt = runtime.client(for: .stt, timeout: config.peerTimeout)
        // No retries: a repeated /mcp/transcript would add the turn to the conversation twice.
        let orchestrator = runtime.client(for: .orchestrator, timeout: config.peerTimeout, retries: 0)
        for peer in [audioProcessor, stt, orchestrator] {
            await runtime.health.addDependency(peer, required: true)
        }

        let runner = PipelineRunner(audio: AudioProcessingClient(audioProcessor), transcriber: TranscriberClient(stt),
                                    orchestrator: OrchestrationClient(orchestrator))
        TestingUIController(runner: runner, config: config).addRoutes(to: routes)
        return []
    }
}
