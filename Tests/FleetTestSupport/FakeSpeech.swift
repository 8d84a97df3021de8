public import FleetContracts
public import ServiceKit
import FleetTelemetry

/// A synthesiser whose "audio" is the bytes of `OggS fake <text>`, about 15 characters a second;
/// it remembers every text it was asked to speak.
public actor FakeSpeech: SpeechSynthesis, InMemoryPeer {
    public nonisolated let name = "tts-bark"
    let failure: FleetError?
    /// Texts containing one of these fail with `FleetError.downstream(.timeout, ...)`: one sentence of many.
    let failingTexts: [String]
    public private(set) var texts: [String] = []

    /// `failure`, when set, is thrown by every call, and the fake reads as down to a liveness probe.
    public init(failure: FleetError? = nil, failingTexts: [String] = []) {
        self.failure = failure
        self.failingTexts = failingTexts
    }

    public func isLive() async -> Bool { failure == nil }

    public func synthesize(_ text: String, voice: String?) async throws -> Synthesis {
        texts.append(text)
        if let failure { throw failure }
        if failingTexts.contains(where: { text.contains($0) }) {
            throw FleetError.downstream(.timeout, peer: name, "no reply within 30 s")
        }
        return Synthesis(audio: Array("OggS fake \(text)".utf8), voice: voice ?? "v2/en_speaker_1",
                         audioSeconds: Double(text.count) / 15, engine: "fake-bark", timeToFirstByte: 0.01)
    }
}
