import FleetContracts
import FleetPages
import FleetTelemetry
import Foundation
import ServiceKit

/// The voice bridge's settings. Segmentation knobs keep the original's names and defaults
/// (AUDIO_SILENCE_TIMEOUT and friends); the DISCORD_* ones shape the simulated voice channel
/// that stands in for Discord.
struct DiscordConfig: Sendable {
    /// The most speakers one bridge simulates at once (DISCORD_SPEAKERS, PUT /voice/load).
    static let maxSpeakers = LoadChange.speakerRange.upperBound

    /// DISCORD_SHARD_INDEX (0) and DISCORD_SHARD_COUNT (1), or `serve discord --shard i/n`: the
    /// guilds this bridge serves when the fleet's speakers are split over several bridges.
    var shard = BridgeShard.single
    /// DISCORD_SPEAKERS: simulated people in the whole fleet when the bridge starts (0...500 per
    /// shard; PUT /voice/load changes it while running); a shard simulates its guilds' share.
    /// 0 is an idle bridge.
    var speakers = 3
    /// DISCORD_CHANNEL_SIZE: speakers per voice channel (1...50); each channel has its own floor
    /// and plays one reply at a time.
    var channelSize = 4
    /// DISCORD_BARGE_IN: percent of Atlas's replies someone in the channel starts talking over,
    /// which cuts the reply off (outcome `interrupted`).
    var bargeInPercent = 10.0
    /// DISCORD_OVERLAP: percent of a speaker's own phrases said without waiting for the exchange
    /// in progress, talking over someone.
    var overlapPercent = 5.0
    /// DISCORD_TURN_INTERVAL: seconds of quiet between one speaker's phrases, drawn per phrase
    /// from this range ("4-8") or fixed ("6").
    var turnInterval: ClosedRange<Double> = 4...8
    /// DISCORD_AUTOSTART: when false, speakers only talk when asked through POST /voice/speak.
    var autostart = true
    /// DISCORD_PACKET_LOSS: percent of Opus packets from speakers dropped on the way to the bridge
    /// (deterministically, per speaker), to exercise packet-loss concealment and FEC.
    var packetLossPercent = 0.0
    /// DISCORD_JITTER_MS: mean extra network delay of speakers' packets, in ms (exponentially
    /// distributed, so some arrive out of order or too late for the bridge's jitter buffer).
    var jitterMs = 0.0
    /// DISCORD_TURN_HISTORY: how many recent turns (with their audio) /voice/turns keeps.
    var turnHistory = 50
    /// DISCORD_STARTUP_TIMEOUT: how long the channel waits for the orchestrator to come up before
    /// letting speakers talk anyway (their turns then fail visibly, as outcome "error").
    var startupTimeout = 30.0

    /// REPLY_STREAMING: play Atlas's reply sentence by sentence as the orchestrator streams it
    /// (true), or only once the whole reply has arrived (false).
    var replyStreaming = true

    /// AUDIO_SILENCE_TIMEOUT: seconds of silence that end a segment (the VAD hangover);
    /// LATENCY_PROFILE's by default (0.75, the original's; `realtime` 0.35).
    var silenceTimeout = LatencyProfile.default.silenceTimeout
    /// AUDIO_MAX_SEGMENT_DURATION: a segment is cut at this length even mid-speech.
    var maxSegmentDuration = 15.0
    /// AUDIO_MIN_SEGMENT_DURATION: shorter voiced bursts (a cough, a click) are dropped.
    var minSegmentDuration = 0.3
    /// AUDIO_VAD_FRAME_MS: the voice activity detector's frame (10, 20 or 30 ms, as webrtcvad).
    var vadFrameMs = 30
    /// AUDIO_VAD_AGGRESSIVENESS: 0 (keeps most audio as speech) ... 3 (strictest).
    var vadAggressiveness = 1

    /// WAKE_PHRASES: comma-separated phrases that address the assistant.
    var wakePhrases = WakePhraseMatcher.defaultPhrases
    /// WAKE_MATCH_THRESHOLD: the partial_ratio score (0...100) a phrase must reach.
    var wakeThreshold = 90.0

    /// Discord's REST API, which POST /mcp/send_message stands in for: a message post takes
    /// about 120 ms, with a long tail when Discord rate-limits (DISCORD_API_LATENCY_MEDIAN / _P99).
    var apiLatency = LatencyProfile.default.discordAPI

    /// DISCORD_AUDIO_PROCESSOR_TIMEOUT (seconds, default 10): one call to clean up a segment.
    var audioProcessorTimeout: Duration = .seconds(10)
    /// DISCORD_STT_TIMEOUT (seconds, default 30): one transcription, enhancement included.
    var sttTimeout: Duration = .seconds(30)
    /// DISCORD_ORCHESTRATOR_TIMEOUT (seconds, default 75): the whole reply, whose guardrails, model
    /// and speech synthesis calls take up to ~30 s each.
    var orchestratorTimeout: Duration = .seconds(75)
    /// DISCORD_DASHBOARD_TIMEOUT (seconds, default 2): reporting a finished turn, which is best
    /// effort and must never hold up the next one.
    var dashboardTimeout: Duration = .seconds(2)
    /// JAEGER_UI_URL, GRAFANA_URL and the port offset: the links of the bridge's page.
    var pageLinks = PageLinkSettings()

    init() {}

    init(settings: ServiceSettings) throws {
        let reader = settings.reader
        let count = try reader.parsed("discord.shard.count", default: 1) {
            Int($0).flatMap { (1...BridgeShard.maxCount).contains($0) ? $0 : nil }
        }
        // The index must name one of `count` shards; the message names the variable.
        let index = try reader.parsed("discord.shard.index", default: 0) { Int($0).flatMap { (0..<count).contains($0) ? $0 : nil } }
        shard = BridgeShard(index: index, count: count) ?? .single
        speakers = try reader.parsed("discord.speakers", default: speakers) { [shard] in
            Int($0).flatMap { (0...shard.fleetLimit(perBridge: Self.maxSpeakers)).contains($0) ? $0 : nil }
        }
        channelSize = try reader.parsed("discord.channel.size", default: channelSize) { Int($0).flatMap { (1...50).contains($0) ? $0 : nil } }
        bargeInPercent = try reader.parsed("discord.barge.in", default: bargeInPercent, Self.parsePercent)
        overlapPercent = try reader.parsed("discord.overlap", default: overlapPercent, Self.parsePercent)
        turnInterval = try reader.parsed("discord.turn.interval", default: turnInterval, Self.parseRange)
        autostart = try reader.parsed("discord.autostart", default: autostart, Self.parseBool)
        packetLossPercent = try reader.parsed("discord.packet.loss", default: packetLossPercent) {
            Double($0).flatMap { (0..<100).contains($0) ? $0 : nil }
        }
        jitterMs = try reader.parsed("discord.jitter.ms", default: jitterMs) { Double($0).flatMap { (0...1000).contains($0) ? $0 : nil } }
        turnHistory = try reader.parsed("discord.turn.history", default: turnHistory) { Int($0).flatMap { (1...1000).contains($0) ? $0 : nil } }
        startupTimeout = try reader.parsed("discord.startup.timeout", default: startupTimeout) { Double($0).flatMap { $0 >= 0 ? $0 : nil } }

        replyStreaming = try reader.parsed("reply.streaming", default: replyStreaming, Self.parseBool)
        silenceTimeout = try reader.parsed("audio.silence.timeout", default: settings.latencyProfile.silenceTimeout) { Double($0).flatMap { $0 > 0 ? $0 : nil } }
        maxSegmentDuration = try reader.parsed("audio.max.segment.duration", default: maxSegmentDuration) { Double($0).flatMap { $0 > 0 ? $0 : nil } }
        // The minimum must stay below the maximum; otherwise no segment could ever be kept.
        minSegmentDuration = try reader.parsed("audio.min.segment.duration", default: minSegmentDuration) { [maxSegmentDuration] in
            Double($0).flatMap { $0 >= 0 && $0 < maxSegmentDuration ? $0 : nil }
        }
        vadFrameMs = try reader.parsed("audio.vad.frame.ms", default: vadFrameMs) { Int($0).flatMap { [10, 20, 30].contains($0) ? $0 : nil } }
        vadAggressiveness = try reader.parsed("audio.vad.aggressiveness", default: vadAggressiveness) { Int($0).flatMap { (0...3).contains($0) ? $0 : nil } }

        wakePhrases = try reader.parsed("wake.phrases", default: wakePhrases) { raw in
            let phrases = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return phrases.isEmpty ? nil : phrases
        }
        wakeThreshold = try reader.parsed("wake.match.threshold", default: wakeThreshold) { Double($0).flatMap { (1...100).contains($0) ? $0 : nil } }

        apiLatency = settings.latencyProfile.discordAPI
        let median = try reader.parsed("discord.api.latency.median", default: apiLatency.baseMedian) { Double($0).flatMap { $0 > 0 ? $0 : nil } }
        let p99 = try reader.parsed("discord.api.latency.p99", default: max(apiLatency.baseP99, median)) { Double($0).flatMap { $0 >= median ? $0 : nil } }
        apiLatency = LatencyModel(median: median, p99: p99)

        audioProcessorTimeout = try reader.parsed("discord.audio.processor.timeout", default: audioProcessorTimeout, Self.parseSeconds)
        sttTimeout = try reader.parsed("discord.stt.timeout", default: sttTimeout, Self.parseSeconds)
        orchestratorTimeout = try reader.parsed("discord.orchestrator.timeout", default: orchestratorTimeout, Self.parseSeconds)
        dashboardTimeout = try reader.parsed("discord.dashboard.timeout", default: dashboardTimeout, Self.parseSeconds)
        pageLinks = try PageLinkSettings(member: .discord, settings: settings)
    }

    /// A peer timeout: seconds, more than 0 and at most 600.
    static func parseSeconds(_ raw: String) -> Duration? {
        Double(raw).flatMap { $0 > 0 && $0 <= 600 ? Duration.milliseconds(Int64($0 * 1000)) : nil }
    }

    /// A share in percent, 0...100 ("10" or "10%").
    static func parsePercent(_ raw: String) -> Double? {
        let digits = raw.hasSuffix("%") ? String(raw.dropLast()) : raw
        return Double(digits.trimmingCharacters(in: .whitespaces)).flatMap { (0...100).contains($0) ? $0 : nil }
    }

    /// "4-8" or "6": seconds, non-negative, low <= high.
    static func parseRange(_ raw: String) -> ClosedRange<Double>? {
        let parts = raw.split(separator: "-", maxSplits: 1).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard let low = parts.first ?? nil, low >= 0 else { return nil }
        guard parts.count == 2 else { return low...low }
        guard let high = parts[1], high >= low else { return nil }
        return low...high
    }

    static func parseBool(_ raw: String) -> Bool? {
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: return nil
        }
    }
}
