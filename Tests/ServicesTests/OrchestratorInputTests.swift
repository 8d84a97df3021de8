import FleetContracts
import ServiceKit
import Testing
@testable import OrchestratorService

@Suite("Orchestrator request validation")
struct TurnInputTests {
    @Test("transcripts are trimmed and must hold 1 to 4000 characters",
          arguments: ["", "   \n\t ", String(repeating: "a", count: 4001)])
    func rejectsBadTranscripts(_ transcript: String) {
        #expect(throws: FleetError.self) { try TurnInput(TranscriptRequest(transcript: transcript)) }
    }

    @Test("a 4000-character transcript is accepted and whitespace around it trimmed")
    func acceptsLongestTranscript() throws {
        let input = try TurnInput(TranscriptRequest(transcript: "  " + String(repeating: "a", count: 4000) + "\n"))
        #expect(input.transcript.count == 4000)
        #expect(input.includeAudio)
    }

    @Test("ids must be short plain ASCII", arguments: ["has space", "semi;colon", "ünïcode", String(repeating: "x", count: 129)])
    func rejectsOddSessionIds(_ id: String) {
        #expect(throws: FleetError.self) { try TurnInput(TranscriptRequest(transcript: "hi", sessionId: id)) }
        #expect(throws: FleetError.self) { try TurnInput(TranscriptRequest(transcript: "hi", correlationId: id)) }
    }

    @Test("given ids are kept; an empty session_id counts as missing")
    func keepsIds() throws {
        let given = try TurnInput(TranscriptRequest(transcript: "hi", sessionId: "discord:1234", correlationId: "abc-1"))
        #expect(given.sessionId == "discord:1234")
        #expect(given.correlationId == "abc-1")
        #expect(!given.isNewSession)
        let empty = try TurnInput(TranscriptRequest(transcript: "hi", sessionId: ""))
        #expect(empty.isNewSession)
        #expect(!empty.sessionId.isEmpty)
    }
}
