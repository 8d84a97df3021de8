import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import ServiceKit
import Testing
@testable import DiscordService

/// The bridge's load, changed while it runs: PUT /voice/load, the speaker gauges, and an idle fleet.
@Suite("Discord load")
struct DiscordLoadTests {
    private static func peers(_ orchestrator: FakeOrchestrator = FakeOrchestrator()) -> DiscordService.Peers {
        DiscordService.Peers(audioProcessor: FakeAudioProcessor(), stt: FakeTranscriber(), orchestrator: orchestrator)
    }

    /// The bridge with its voice fleet running (as its service group would run it) while `body` runs.
    private static func withRunningBridge(_ environment: [String: String],
                                          _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let built = try await testApplication(DiscordService.self, environment: environment, peers: peers())
        let fleet = try #require(built.background.first as? VoiceFleet)
        let running = Task { try await fleet.run() }
        defer { running.cancel() }
        #expect(await eventually { await fleet.isOpen })
        try await built.application.test(.router, body)
        running.cancel()
        _ = await running.result
    }

    private static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    private static func putLoad(_ client: any TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/voice/load", method: .put, headers: [.contentType: MediaType.json],
                                 body: ByteBuffer(string: body))
    }

    /// The gauge's value as /metrics serves it.
    private static func gauge(_ client: any TestClientProtocol, _ name: String) async throws -> Double? {
        try await client.execute(uri: "/metrics", method: .get) { sampleValue(String(buffer: $0.body), name) }
    }

    @Test("PUT /voice/load changes the speakers while running; the gauges follow within 5 s")
    func loadChangesGauges() async throws {
        try await TestMetrics.collecting { _ in
            try await Self.withRunningBridge(["DISCORD_AUTOSTART": "false"]) { client in
                try await client.execute(uri: "/voice/load", method: .get) { response in
                    #expect(response.status == .ok)
                    let body = try Self.json(response.body)
                    #expect(body["speakers"] as? Int == 3 && body["channels"] as? Int == 1 && body["channel_size"] as? Int == 4)
                }
                for (speakers, channels) in [(120, 30), (0, 0), (200, 50), (5, 2)] {
                    let response = try await Self.putLoad(client, #"{"speakers": \#(speakers)}"#)
                    #expect(response.status == .ok)
                    let body = try Self.json(response.body)
                    #expect(body["speakers"] as? Int == speakers && body["channels"] as? Int == channels)
                    let followed = try await eventually(within: .seconds(5)) {
                        let active = try await Self.gauge(client, "voice_active_speakers")
                        let inUse = try await Self.gauge(client, "voice_channels")
                        return active == Double(speakers) && inUse == Double(channels)
                    }
                    #expect(followed, "the gauges did not show \(speakers) speakers in \(channels) channels within 5 s")
                }
                try await client.execute(uri: "/voice/status", method: .get) { response in
                    let body = try Self.json(response.body)
                    let channels = try #require(body["channels"] as? [[String: Any]])
                    #expect(channels.map { $0["id"] as? String } == ["voice-1", "voice-2"])
                    #expect(channels.map { ($0["speakers"] as? [String])?.count } == [4, 1])
                    #expect(body["channel_size"] as? Int == 4)
                }
            }
        }
    }

    /// POST /voice/speak for `speaker`; the turn id it queued.
    private static func speak(_ client: any TestClientProtocol, as speaker: String, _ text: String) async throws -> Int {
        let body = #"{"speaker": "\#(speaker)", "text": "\#(text)"}"#
        return try await client.execute(uri: "/voice/speak", method: .post, headers: [.contentType: MediaType.json],
                                        body: ByteBuffer(string: body)) { response in
            #expect(response.status == .accepted)
            return try #require(try Self.json(response.body)["turn_id"] as? Int)
        }
    }

    /// Turn `id` as GET /voice/turns/{id} shows it.
    private static func turn(_ client: any TestClientProtocol, _ id: Int) async throws -> [String: Any] {
        try await client.execute(uri: "/voice/turns/\(id)", method: .get) { try Self.json($0.body) }
    }

    /// Waits until none of `ids` is in progress.
    private static func allEnded(_ client: any TestClientProtocol, _ ids: [Int]) async throws -> Bool {
        try await eventually {
            for id in ids where try await Self.turn(client, id)["outcome"] as? String == "in_progress" { return false }
            return true
        }
    }

    @Test("a speaker who leaves strands nothing: another says their requests, and with nobody left they end as errors")
    func leaverHandsOver() async throws {
        try await Self.withRunningBridge(["DISCORD_AUTOSTART": "false", "DISCORD_SPEAKERS": "2", "DISCORD_BARGE_IN": "0"]) { client in
            // Ben takes the first request at once; the second waits in his mailbox as he leaves.
            let forBen = [try await Self.speak(client, as: "Ben", "Hey Atlas, what time is it?"),
                          try await Self.speak(client, as: "Ben", "Hey Atlas, tell me a joke.")]
            #expect(try await Self.putLoad(client, #"{"speakers": 1}"#).status == .ok)
            #expect(try await Self.allEnded(client, forBen), "a turn queued for Ben stayed in progress after he left")
            // The one in Ben's hand was said by Ava too, or by Ben if he had finished saying it.
            #expect(try await Self.turn(client, forBen[0])["outcome"] as? String == "replied")
            let handedOver = try await Self.turn(client, forBen[1])
            #expect(handedOver["speaker"] as? String == "Ava")
            #expect(handedOver["outcome"] as? String == "replied", "\(handedOver)")

            let forAva = [try await Self.speak(client, as: "Ava", "Hey Atlas, what is the weather like?"),
                          try await Self.speak(client, as: "Ava", "Hey Atlas, how tall is Everest?")]
            #expect(try await Self.putLoad(client, #"{"speakers": 0}"#).status == .ok)
            #expect(try await Self.allEnded(client, forAva), "a turn queued for Ava stayed in progress with nobody left")
            let stranded = try await Self.turn(client, forAva[1])
            #expect(stranded["outcome"] as? String == "error")
            #expect(stranded["error"] as? String == "speaker Ava left the channel before speaking; no speakers remain")
        }
    }

    @Test("200 speakers have 200 distinct names, spread over channels and guilds")
    func twoHundredSpeakers() async throws {
        try await Self.withRunningBridge(["DISCORD_AUTOSTART": "false", "DISCORD_SPEAKERS": "200",
                                          "DISCORD_CHANNEL_SIZE": "10"]) { client in
            try await client.execute(uri: "/voice/status", method: .get) { response in
                let body = try Self.json(response.body)
                let speakers = try #require(body["speakers"] as? [[String: Any]])
                let names = speakers.compactMap { $0["name"] as? String }
                #expect(names.count == 200 && Set(names).count == 200)
                #expect(names[16] == "Ava 2" && names[199] == "Hugo 13")
                let channels = try #require(body["channels"] as? [[String: Any]])
                #expect(channels.count == 20)
                #expect(Set(channels.compactMap { $0["guild"] as? String }).count == 4)
                #expect(speakers[10]["channel"] as? String == "voice-2" && speakers[199]["guild"] as? String == "guild-4")
            }
            // A named speaker beyond the first sixteen can be asked to talk.
            try await client.execute(uri: "/voice/speak", method: .post, headers: [.contentType: MediaType.json],
                                     body: ByteBuffer(string: #"{"speaker": "ava 2", "text": "Hey Atlas, hello there!"}"#)) { response in
                #expect(response.status == .accepted)
                let body = try Self.json(response.body)
                #expect(body["speaker"] as? String == "Ava 2")
            }
        }
    }

    @Test("bad loads are 400s naming the field and its range",
          arguments: [#"{"speakers": 501}"#, #"{"speakers": -1}"#, #"{}"#, #"{"speakers": "many"}"#, #"{"speakers": 2.5}"#])
    func badLoad(body: String) async throws {
        let built = try await testApplication(DiscordService.self, peers: Self.peers())
        try await built.application.test(.router) { client in
            let response = try await Self.putLoad(client, body)
            #expect(response.status == .badRequest)
            let error = try #require(try Self.json(response.body)["error"] as? [String: Any])
            #expect(error["code"] as? String == "bad_request")
            let message = try #require(error["message"] as? String)
            #expect(message.contains("speakers"), "\(message)")
            if body.contains("501") || body.contains("-1") { #expect(message.contains("0") && message.contains("500"), "\(message)") }
            try await client.execute(uri: "/voice/load", method: .get) { response in
                let load = try Self.json(response.body)
                #expect(load["speakers"] as? Int == 3, "a refused change must not change the load")
            }
        }
    }

    @Test("malformed JSON is refused")
    func malformedLoad() async throws {
        let built = try await testApplication(DiscordService.self, peers: Self.peers())
        try await built.application.test(.router) { client in
            for body in ["not json", "{\"speakers\": ", ""] {
                let response = try await Self.putLoad(client, body)
                #expect(response.status == .badRequest, "\(body)")
            }
        }
    }

    @Test("0 speakers is an idle fleet: turns in flight finish, nothing fails, speak answers 422")
    func idleFleet() async throws {
        try await TestMetrics.collecting { registry in
            try await Self.withRunningBridge(["DISCORD_TURN_INTERVAL": "0.05", "DISCORD_BARGE_IN": "0"]) { client in
                // Let the three speakers get going, then send them all home.
                #expect(await eventually {
                    (try? await client.execute(uri: "/voice/status", method: .get) { response in
                        let speakers = try Self.json(response.body)["speakers"] as? [[String: Any]] ?? []
                        return speakers.contains { $0["state"] as? String != "idle" }
                    }) ?? false
                })
                #expect(try await Self.putLoad(client, #"{"speakers": 0}"#).status == .ok)
                #expect(try await Self.gauge(client, "voice_active_speakers") == 0)
                #expect(try await Self.gauge(client, "voice_channels") == 0)
                // Whatever was in flight finishes; nothing new starts.
                let settled = try await eventually {
                    try await client.execute(uri: "/voice/turns", method: .get) { response in
                        let turns = try Self.json(response.body)["turns"] as? [[String: Any]] ?? []
                        return !turns.contains { $0["outcome"] as? String == "in_progress" }
                    }
                }
                #expect(settled)
                let finished = try await client.execute(uri: "/voice/status", method: .get) { try Self.json($0.body)["turns"] as? Int }
                try await Task.sleep(for: .milliseconds(500))
                try await client.execute(uri: "/voice/status", method: .get) { response in
                    let body = try Self.json(response.body)
                    #expect((body["speakers"] as? [[String: Any]])?.isEmpty == true)
                    #expect((body["channels"] as? [[String: Any]])?.isEmpty == true)
                    #expect(body["turns"] as? Int == finished, "a turn started after the speakers left")
                    #expect((body["outcomes"] as? [String: Int])?["error"] == 0)
                    #expect(body["channel_open"] as? Bool == true)
                }
                let errors = sampleValue(registry.emitToString(), "voice_turns_total", ["outcome": "error"])
                #expect(errors == nil || errors == 0)
                try await client.execute(uri: "/voice/speak", method: .post, headers: [.contentType: MediaType.json],
                                         body: ByteBuffer(string: #"{"text": "Hey Atlas, hello there!"}"#)) { response in
                    #expect(response.status == .unprocessableContent)
                }
            }
        }
    }
}
