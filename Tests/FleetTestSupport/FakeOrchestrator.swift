import FleetAudio
import FleetSpeech
public import FleetContracts
import Foundation
public import ServiceKit

/// An orchestrator that answers every transcript with `replyText` (or echoes it), spoken in the
/// requested voice as real Ogg Opus; like the real guardrails, it refuses "ignore previous ..."
/// with reason `prompt_injection`, and still speaks the refusal. It remembers every request.
public actor FakeOrchestrator: Orchestration, InMemoryPeer {
    public nonisolated let name = "orchestrator"

    /// What the fake answers.
    public enum Reply: Sendable {
        /// The same sentence every time.
        case text(String)
        /// "You said: <transcript>".
        case echo
    }

    public static let refusal = "Sorry, I can't help with that."

    let reply: Reply
    let speaks: Bool
    let failure: FleetError?
    let recorder: PeerCallRecorder?
    public private(set) var requests: [TranscriptRequest] = []

    /// `speaks: false` is an orchestrator whose speech synthesis is down: text replies only.
    /// `failure`, when set, is thrown by every call, and the fake reads as down to a liveness
    /// probe. `recorder` notes each call among other fakes'.
    public init(reply: Reply = .text("It is ten past four."), speaks: Bool = true, failure: FleetError? = nil,
                recorder: PeerCallRecorder? = nil) {
        self.reply = reply
        self.speaks = speaks
        self.failure = failure
        self.recorder = recorder
    }

    public func isLive() async -> Bool { failure == nil }

    public func handle(_ request: TranscriptRequest) async throws -> TranscriptResponse {
        await recorder?.record(name)
        requests.append(request)
        if let failure { throw failure }
        let blocked = request.transcript.lowercased().contains("ignore previous")
        let text = blocked ? Self.refusal : answer(to: request.transcript)
        let voice = Voice.named(request.voice ?? "") ?? .default
        var response = TranscriptResponse(
            response: text, sessionId: request.sessionId ?? "session-new", correlationId: request.correlationId ?? "",
            engine: "fake", allowed: !blocked, guardrailReason: blocked ? "prompt_injection" : nil,
            audioBase64: nil, audioSeconds: nil, voice: nil,
            turn: requests.filter { $0.sessionId == request.sessionId }.count)
        if speaks, request.includeAudio != false {
            let pcm = SpeechSynthesizer(voice: voice).synthesize(text)
            response.audioBase64 = Data(try OggOpus.encode(pcm, comments: [OpusComment.title: text])).base64EncodedString()
            response.audioSeconds = Double(pcm.count) / Double(AudioFormat.sampleRate)
            response.voice = voice.id
        }
        return response
    }

    private func answer(to transcript: String) -> String {
        switch reply {
        case .text(let text): text
        case .echo: "You said: \(transcript)"
        }
    }
}
