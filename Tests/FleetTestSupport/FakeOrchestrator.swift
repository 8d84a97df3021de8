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
    /// Set: the fake streams sentence by sentence, holding the last one at this gate.
    let streamGate: StreamGate?
    public private(set) var requests: [TranscriptRequest] = []

    /// `speaks: false` is an orchestrator whose speech synthesis is down: text replies only.
    /// `failure`, when set, is thrown by every call, and the fake reads as down to a liveness
    /// probe. `recorder` notes each call among other fakes'.
    public init(reply: Reply = .text("It is ten past four."), speaks: Bool = true, failure: FleetError? = nil,
                recorder: PeerCallRecorder? = nil, streamGate: StreamGate? = nil) {
        self.reply = reply
        self.speaks = speaks
        self.failure = failure
        self.recorder = recorder
        self.streamGate = streamGate
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

    /// Streams the reply sentence by sentence (cut after ". "), each spoken as its own Ogg Opus
    /// file, noting `orchestrator.sentence.<n>` on the recorder as each goes out. With `gate`,
    /// the last sentence waits until the gate opens (or gives up after a bounded number of
    /// yields), so a test can tell whether the caller played the first before the last arrived.
    /// A cancelled stream notes `orchestrator.cancelled` and stops.
    public func handleStreaming(_ request: TranscriptRequest,
                                onSentence: @escaping @Sendable (ReplySentence) async throws -> Void) async throws -> ReplyStreamDone {
        guard let gate = streamGate else {
            var whole = request
            whole.stream = nil
            let reply = try await handle(whole)
            try await onSentence(ReplySentence(index: 0, text: reply.response, audioBase64: reply.audioBase64,
                                               audioSeconds: reply.audioSeconds))
            return ReplyStreamDone(response: reply.response, sessionId: reply.sessionId, correlationId: reply.correlationId,
                                   engine: reply.engine, allowed: reply.allowed, guardrailReason: reply.guardrailReason,
                                   audioSeconds: reply.audioSeconds, voice: reply.voice, turn: reply.turn, sentences: 1)
        }
        requests.append(request)
        if let failure { throw failure }
        let text = answer(to: request.transcript)
        let sentences = text.components(separatedBy: ". ").enumerated().map { index, part in
            index < text.components(separatedBy: ". ").count - 1 ? part + "." : part
        }
        let voice = Voice.named(request.voice ?? "") ?? .default
        var seconds = 0.0
        for (index, sentence) in sentences.enumerated() {
            if index == sentences.count - 1, index > 0 { await gate.wait() }
            do {
                try Task.checkCancellation()
            } catch {
                await recorder?.record("orchestrator.cancelled")
                throw error
            }
            let pcm = SpeechSynthesizer(voice: voice).synthesize(sentence)
            let audio = try OggOpus.encode(pcm, comments: [OpusComment.title: sentence])
            let sentenceSeconds = Double(pcm.count) / Double(AudioFormat.sampleRate)
            seconds += sentenceSeconds
            await recorder?.record("orchestrator.sentence.\(index)")
            try await onSentence(ReplySentence(index: index, text: sentence, audioBase64: Data(audio).base64EncodedString(),
                                               audioSeconds: sentenceSeconds))
        }
        return ReplyStreamDone(response: sentences.joined(separator: " "), sessionId: request.sessionId ?? "session-new",
                               correlationId: request.correlationId ?? "", engine: "fake", allowed: true,
                               guardrailReason: nil, audioSeconds: seconds, voice: voice.id,
                               turn: requests.filter { $0.sessionId == request.sessionId }.count, sentences: sentences.count)
    }

    private func answer(to transcript: String) -> String {
        switch reply {
        case .text(let text): text
        case .echo: "You said: \(transcript)"
        }
    }
}

/// Holds a streamed reply's last sentence until a test opens it: opened when the caller did what
/// should come first (played a frame). It gives up after a bounded number of polls, so a caller
/// that never gets there makes the test fail on the order of events rather than hang.
public actor StreamGate {
    private var isOpen = false

    public init() {}

    public func open() {
        isOpen = true
    }

    /// Waits for the gate, polling every millisecond, at most `maxPolls` times (a bound on a wait
    /// for progress, generous for a busy machine, never an assertion about time).
    public func wait(maxPolls: Int = 20_000) async {
        var polls = 0
        while !isOpen, polls < maxPolls, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(1))
            polls += 1
        }
    }
}
