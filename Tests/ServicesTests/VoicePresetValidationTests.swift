import FleetContracts
import FleetSpeech
import ServiceKit
import Testing
@testable import OrchestratorService

/// The finding: the orchestrator answered 200 to `voice: "../../etc/passwd"` where tts-bark and
/// testing-ui said 400. One list of presets (FleetContracts.VoicePresets) and one check now serve all.
@Suite("Voice presets are validated the same way everywhere")
struct VoicePresetValidationTests {
    @Test("the orchestrator refuses a voice that is not a preset",
          arguments: ["../../etc/passwd", "v2/en_speaker_10", "V2/EN_SPEAKER_1", "v2/en_speaker_1\n", ""])
    func orchestratorRefusesUnknownVoices(_ voice: String) {
        #expect(throws: FleetError.self) { try TurnInput(TranscriptRequest(transcript: "hi", voice: voice)) }
    }

    @Test("every preset is accepted, and the list is the speech engine's")
    func presetsAreAccepted() throws {
        #expect(VoicePresets.ids == Voice.all.map(\.id))
        for id in VoicePresets.ids {
            #expect(try TurnInput(TranscriptRequest(transcript: "hi", voice: id)).voice == id)
        }
        #expect(try TurnInput(TranscriptRequest(transcript: "hi")).voice == nil)
    }

    @Test("the refusal names the field and lists the presets")
    func refusalSaysWhatToSend() {
        do {
            _ = try VoicePresets.validated("../../etc/passwd", field: "voice")
            Issue.record("accepted")
        } catch {
            #expect(error.message.contains("Unknown voice '../../etc/passwd'") && error.message.contains("v2/en_speaker_0"))
        }
    }
}
