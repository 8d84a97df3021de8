import FleetAudio
import FleetContracts
import FleetSpeech
import FleetTestSupport
import FleetTelemetry
import Foundation
import ServiceKit
import Testing
@testable import AudioProcessorService
@testable import DiscordService
@testable import STTService

/// What stt hears of the fleet's own speakers, the way a voice turn hears them: each sentence the
/// bridge's speakers say, in their voices, over their rooms' noise, through the real Opus link
/// (encoder, packets, jitter buffer, decoder, segmenter), cut into segments, cleaned by the audio
/// processor, and recognised by the default engine. Nothing here reads a comment.
@Suite("stt: accuracy on the fleet's speech")
struct STTAccuracyTests {
    /// One sentence as the bridge heard it: what was said and what stt made of each segment.
    struct Heard {
        var phrase: Phrase
        var transcripts: [String]
        var hypothesis: String { transcripts.joined(separator: " ") }
    }

    @Test("WER at most 15 % and the wake phrase found in at least 95 % of wake utterances")
    func fleetSpeech() async throws {
        let heard = try await Self.hearAll(PhraseCorpus.all)
        let scores = heard.map { WordErrorRate.score(reference: $0.phrase.text, hypothesis: $0.hypothesis) }
        let pooled = WordErrorRate.pooled(scores)
        let worst = zip(heard, scores).sorted { $0.1.rate > $1.1.rate }.prefix(3)
            .map { "'\($0.0.phrase.text)' heard as '\($0.0.hypothesis)'" }
        #expect(pooled.rate <= 0.15, "pooled WER \(pooled.rate) over \(pooled.referenceWords) words; worst: \(worst)")

        let matcher = WakePhraseMatcher()
        let addressed = heard.filter { $0.phrase.kind != .chatter }
        let woken = addressed.filter { matcher.match($0.transcripts.first ?? "") != nil }
        let share = Double(woken.count) / Double(addressed.count)
        let missed = addressed.filter { matcher.match($0.transcripts.first ?? "") == nil }.map(\.hypothesis)
        #expect(share >= 0.95, "wake phrase found in \(woken.count) of \(addressed.count); missed: \(missed)")
        // And people talking to each other do not wake Atlas.
        let chatter = heard.filter { $0.phrase.kind == .chatter }
        #expect(chatter.allSatisfy { matcher.match($0.hypothesis) == nil })
    }

    /// The impairments the traffic scenarios switch on, each heard on the same dozen requests.
    enum Impairment: CaseIterable {
        case none, packetLoss, noisyRoom, quietMicrophone
    }

    @Test("packet loss, a noisy room and a quiet microphone each raise the word error rate",
          arguments: [Impairment.packetLoss, .noisyRoom, .quietMicrophone])
    func impairmentsRaiseTheErrorRate(_ impairment: Impairment) async throws {
        let requests = Array(PhraseCorpus.requests.prefix(12))
        func rate(_ heard: [Heard]) -> Double {
            WordErrorRate.pooled(heard.map { WordErrorRate.score(reference: $0.phrase.text, hypothesis: $0.hypothesis) }).rate
        }
        let clean = rate(try await Self.hearAll(requests, impairment: .none))
        let impaired = rate(try await Self.hearAll(requests, impairment: impairment))
        #expect(impaired > clean + 0.02, "\(impairment): WER \(impaired) against \(clean) on a clean link")
    }

    /// Every phrase, spoken by the ten voices in turn over the three rooms in turn.
    static func hearAll(_ phrases: [Phrase], impairment: Impairment = .none) async throws -> [Heard] {
        let processor = AudioPipeline(config: AudioProcessorConfig())
        let pipeline = try STTFixture.pipeline(enhancer: InProcessAudioProcessor())
        var heard: [Heard] = []
        for (index, phrase) in phrases.enumerated() {
            let voice = Voice.all[index % Voice.all.count]
            let room = SimulatedSpeaker.roomNoiseAmplitudes[index % SimulatedSpeaker.roomNoiseAmplitudes.count]
            let segments = try await HeavyWork.run {
                try carry(phrase.text, voice: voice, room: room, impairment: impairment, seed: UInt64(index))
            }
            var transcripts: [String] = []
            for (segment, concealed) in segments {
                let cleaned = processor.processSegment(
                    DecodedAudio(samples: segment.samples, comments: [:], duration: segment.duration, packetCount: 0),
                    concealedFrameRatio: concealed)
                let upload = try AudioUpload.decode(try OggOpus.encode(cleaned.samples, comments: cleaned.comments),
                                                    mediaType: "audio/ogg", maxSeconds: 600)
                let text = try await pipeline.transcribe(upload, options: .init()).recognition.text
                if !text.isEmpty { transcripts.append(text) }
            }
            heard.append(Heard(phrase: phrase, transcripts: transcripts))
        }
        return heard
    }

    /// A speaker's burst (lead-in, the phrase, the silence that closes it) over room noise,
    /// through a link with the bridge's defaults, as segments with their concealed shares. The
    /// impairments are the scenarios' "on" values: 10 % loss in bursts (packetLoss), the room 25 dB
    /// louder (noisyRoom), the voice 30 dB quieter (quietMicrophones).
    static func carry(_ text: String, voice: Voice, room: Float, impairment: Impairment, seed: UInt64) throws -> [(Segment, Double)] {
        let board = ScenarioBoard(service: "discord")
        if impairment == .packetLoss { board.set(.packetLoss, to: Scenario.packetLoss.onValue) }
        let link = try VoiceLink(segmenter: Segmenter(), lossSeed: SeededGenerator(seed: seed, stream: "test/link"),
                                 conditions: LinkConditions.live(lossPercent: 0, jitterMs: 0, scenarios: board),
                                 telemetry: LinkTelemetry.recording().telemetry)
        func decibels(_ scenario: Scenario) -> Float {
            if case .number(let value) = scenario.onValue { Float(value) } else { 0 }
        }
        let roomLevel = impairment == .noisyRoom ? min(1, room * pow(10, decibels(.noisyRoom) / 20)) : room
        let voiceGain = impairment == .quietMicrophone ? pow(10, -decibels(.quietMicrophones) / 20) : Float(1)
        var noise = SeededGenerator(seed: seed, stream: "test/room")
        var segments: [(Segment, Double)] = []
        for frame in SimulatedSpeaker.burst(SpeechSynthesizer(voice: voice).synthesize(text), silenceTimeout: 0.75) {
            let sent = frame.map { min(1, max(-1, $0 * voiceGain + Float.random(in: -roomLevel...roomLevel, using: &noise))) }
            segments += try link.carry(sent).map { ($0, link.concealedRatio(of: $0)) }
        }
        segments += link.flush().map { ($0, link.concealedRatio(of: $0)) }
        return segments
    }
}
