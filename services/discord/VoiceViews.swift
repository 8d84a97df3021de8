import Foundation
import Hummingbird

// What the voice routes read and answer. scripts/bench-fleet.py and scripts/stack/*.py read
// /voice/status and /voice/turns, so these keys are a contract.

/// GET /voice/status: the channels, their speakers, and running totals.
struct StatusView: ResponseEncodable {
    var channelOpen: Bool
    var autostart: Bool
    var packetLossPercent: Double
    var channelSize: Int
    var channels: [ChannelView]
    var speakers: [SpeakerStatus]
    var turns: Int
    var outcomes: [String: Int]
    var medianEndToEndSeconds: Double?
    /// Mean word error rate of the recent scored transcripts (`TurnLog.meanWordErrorRate`).
    var meanWordErrorRate: Double?
    /// What the bridge has said, over all channels.
    var botVoice: BotVoice

    /// What the bridge itself has said into a channel.
    struct BotVoice: Encodable {
        var frames: Int
        var seconds: Double
        var opusBytes: Int
    }
}

/// One voice channel on /voice/status: where it is, who is in it, and what Atlas said there.
struct ChannelView: Encodable {
    var guild: String
    var id: String
    var speakers: [String]
    var botVoice: StatusView.BotVoice
}

/// POST /voice/speak's body: what to say, and who says it (the least busy speaker when nil).
struct SpeakRequest: Decodable {
    var speaker: String?
    var text: String
}

/// POST /voice/speak's answer (202): the queued turn, and where to watch it.
struct SpeakResponse: ResponseEncodable {
    var turnId: Int
    var speaker: String
    var status: String
    var turnUrl: String
}

/// A turn as /voice/turns shows it: everything but the audio, which is linked instead.
struct TurnView: ResponseEncodable {
    let record: TurnRecord

    init(_ record: TurnRecord) {
        self.record = record
    }

    // Spelled out so the audio stays out and a turn in progress still says so; the fleet's
    // encoder writes these keys in snake_case.
    enum CodingKeys: CodingKey {
        case id, speaker, sessionId, turnNumber, startedAt, phrase, transcript, wordErrorRate, wakeDetected, wakePhrase
        case request, replyText, guardrailReason, outcome, error, latencies, segmentSeconds, replySeconds
        case playbackUnderruns, traceId, links
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(record.id, forKey: .id)
        try container.encode(record.speaker, forKey: .speaker)
        try container.encode(record.sessionId, forKey: .sessionId)
        try container.encode(record.turnNumber, forKey: .turnNumber)
        // FoundationEssentials' ISO 8601 style, not ISO8601DateFormatter: that one loads ICU.
        try container.encode(record.startedAt.formatted(.iso8601), forKey: .startedAt)
        try container.encode(record.phrase, forKey: .phrase)
        try container.encodeIfPresent(record.transcript, forKey: .transcript)
        try container.encodeIfPresent(record.wordErrorRate, forKey: .wordErrorRate)
        try container.encode(record.wakeDetected, forKey: .wakeDetected)
        try container.encodeIfPresent(record.wakePhrase, forKey: .wakePhrase)
        try container.encodeIfPresent(record.request, forKey: .request)
        try container.encodeIfPresent(record.replyText, forKey: .replyText)
        try container.encodeIfPresent(record.guardrailReason, forKey: .guardrailReason)
        try container.encode(record.outcome?.rawValue ?? "in_progress", forKey: .outcome)
        try container.encodeIfPresent(record.error, forKey: .error)
        try container.encode(record.latencies, forKey: .latencies)
        try container.encode(record.segmentSeconds, forKey: .segmentSeconds)
        try container.encodeIfPresent(record.replySeconds, forKey: .replySeconds)
        try container.encode(record.playbackUnderruns, forKey: .playbackUnderruns)
        try container.encodeIfPresent(record.traceId, forKey: .traceId)
        try container.encode(links, forKey: .links)
    }

    /// The turn itself and whichever of its audio files exist.
    private var links: [String: String] {
        var links = ["self": "/voice/turns/\(record.id)"]
        if !record.inputAudio.isEmpty { links["input_audio"] = "/voice/turns/\(record.id)/input.opus" }
        if record.replyAudio != nil { links["reply_audio"] = "/voice/turns/\(record.id)/reply.opus" }
        return links
    }
}
