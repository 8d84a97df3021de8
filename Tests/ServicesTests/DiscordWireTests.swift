import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import DiscordService

/// The JSON keys of /voice/status, /voice/turns and the MCP routes are a contract:
/// scripts/bench-fleet.py, scripts/stack/*.py and the end-to-end tests read them.
@Suite("Discord JSON keys")
struct DiscordWireTests {
    private static func keys(_ value: some Encodable) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: JSONEncoder.fleet.encode(value)) as? [String: Any])
    }

    @Test("a finished turn on /voice/turns has every key, latencies included, and no audio")
    func turnKeys() throws {
        var record = TurnRecord(id: 7, speaker: "Ava", sessionId: "s-1", turnNumber: 2, phrase: "Hey Atlas, hi")
        record.transcript = "Hey Atlas, hi"
        record.wordErrorRate = 0
        record.wakeDetected = true
        record.wakePhrase = "hey atlas"
        record.request = "hi"
        record.replyText = "Hello."
        record.guardrailReason = "pii"
        record.outcome = .replied
        record.error = "none"
        record.latencies = TurnRecord.Latencies()
        for path in [\TurnRecord.Latencies.endOfUtterance, \.encode, \.process, \.transcribe, \.wakeDetection,
                     \.orchestrate, \.playbackQueue, \.endToEnd, \.playback] {
            record.latencies[keyPath: path] = 0.5
        }
        record.replySeconds = 1.5
        record.traceId = "4bf92f3577b34da6a3ce929d0e0e4736"
        record.inputAudio = [1]
        record.replyAudio = [2]

        let json = try Self.keys(TurnView(record))
        #expect(Set(json.keys) == ["id", "speaker", "session_id", "turn_number", "started_at", "phrase", "transcript",
                                   "word_error_rate", "wake_detected", "wake_phrase", "request", "reply_text", "guardrail_reason", "outcome",
                                   "error", "latencies", "segment_seconds", "reply_seconds", "playback_underruns",
                                   "trace_id", "links"])
        let latencies = try #require(json["latencies"] as? [String: Double])
        #expect(Set(latencies.keys) == ["end_of_utterance", "encode", "process", "transcribe", "wake_detection",
                                        "orchestrate", "playback_queue", "end_to_end", "playback"])
        #expect(json["links"] as? [String: String] == ["self": "/voice/turns/7", "input_audio": "/voice/turns/7/input.opus",
                                                      "reply_audio": "/voice/turns/7/reply.opus"])
        #expect(json["outcome"] as? String == "replied")
    }

    @Test("/voice/status names the channel, each speaker, their link and the bot's voice")
    func statusKeys() throws {
        var speaker = SpeakerStatus(name: "Ava", voice: "v2/en_speaker_0", replyVoice: "v2/en_speaker_5", sessionId: "s-1")
        speaker.lastPhrase = "Hey Atlas"
        speaker.lastOutcome = .noWakePhrase
        let voice = StatusView.BotVoice(frames: 1, seconds: 0.02, opusBytes: 40)
        let status = StatusView(channelOpen: true, autostart: true, packetLossPercent: 0, channelSize: 4,
                                channels: [ChannelView(guild: "guild-1", id: "voice-1", speakers: ["Ava"], botVoice: voice)],
                                speakers: [speaker], turns: 1, outcomes: ["no_wake_phrase": 1], medianEndToEndSeconds: 1.2,
                                meanWordErrorRate: 0.125, botVoice: voice)
        let json = try Self.keys(status)
        #expect(Set(json.keys) == ["channel_open", "autostart", "packet_loss_percent", "channel_size", "channels", "speakers",
                                   "turns", "outcomes", "median_end_to_end_seconds", "mean_word_error_rate", "bot_voice"])
        let channel = try #require((json["channels"] as? [[String: Any]])?.first)
        #expect(Set(channel.keys) == ["guild", "id", "speakers", "bot_voice"])
        #expect(json["outcomes"] as? [String: Int] == ["no_wake_phrase": 1])
        let bot = try #require(json["bot_voice"] as? [String: Any])
        #expect(Set(bot.keys) == ["frames", "seconds", "opus_bytes"])
        let member = try #require((json["speakers"] as? [[String: Any]])?.first)
        #expect(Set(member.keys) == ["name", "voice", "reply_voice", "session_id", "guild", "channel", "state", "turns",
                                     "conversing", "last_phrase", "last_outcome", "link"])
        #expect(member["last_outcome"] as? String == "no_wake_phrase")
        let link = try #require(member["link"] as? [String: Any])
        #expect(Set(link.keys) == ["packets_sent", "packets_received", "packets_lost", "packets_late", "frames_recovered",
                                   "frames_concealed", "frames_starved", "segments_closed", "jitter_seconds",
                                   "buffer_delay_seconds"])
    }

    @Test("MCP transcript: a speaker's own session, the reply posted, audio only when asked for")
    func mcpTranscript() async throws {
        let orchestrator = FakeOrchestrator()
        let peers = DiscordService.Peers(audioProcessor: FakeAudioProcessor(), stt: FakeTranscriber(),
                                         orchestrator: orchestrator)
        let built = try await testApplication(DiscordService.self, peers: peers)
        try await built.application.test(.router) { client in
            let body = #"{"transcript": "what time is it?", "user_id": "ava", "channel_id": "general"}"#
            try await client.execute(uri: "/mcp/transcript", method: .post, headers: [.contentType: MediaType.json],
                                     body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                let json = try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                #expect(json["response"] as? String == "It is ten past four.")
                #expect(json["audio_base64"] == nil)
                #expect((json["session_id"] as? String)?.hasPrefix("discord-ava-") == true)
            }
            let sent = try #require(await orchestrator.requests.first)
            #expect(sent.transcript == "what time is it?" && sent.includeAudio == false)
            try await client.execute(uri: "/mcp/messages?channel_id=general", method: .get) { response in
                let json = try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let message = try #require((json["messages"] as? [[String: Any]])?.first)
                #expect(message["content"] as? String == "It is ten past four.")
                #expect(Set(message.keys) == ["message_id", "channel_id", "author", "content", "timestamp"])
            }
        }
    }
}
