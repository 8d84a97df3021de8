import FleetContracts
import FleetTelemetry
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import DiscordService

/// Bridge shards: n bridges that together simulate the speakers of one, each once.
@Suite("Discord shards")
struct DiscordShardTests {
    @Test("i/n parses only for 0 <= i < n <= 64")
    func parsing() {
        #expect(BridgeShard("1/4") == BridgeShard(index: 1, count: 4))
        #expect(BridgeShard("0/1") == .single)
        for text in ["4/4", "-1/2", "1/0", "0/65", "1", "1/2/3", "a/b", "", "/2", "1/"] {
            #expect(BridgeShard(text) == nil, "\(text) was accepted")
        }
    }

    @Test("the shards of a fleet split its speakers: every one simulated once, whole guilds together")
    func partition() throws {
        for count in [1, 2, 3, 7] {
            for channelSize in [1, 4, 50] {
                for total in [0, 1, 19, 20, 21, 200, 1000] {
                    let shards = (0..<count).map { BridgeShard(index: $0, count: count)! }
                    let shares = shards.map { $0.speakers(ofFleet: total, channelSize: channelSize) }
                    #expect(shares.flatMap { $0 }.sorted() == Array(0..<total), "\(count) shards, \(total) speakers")
                    // A guild's speakers are all in one share.
                    for (shard, share) in zip(shards, shares) {
                        let guilds = Set(share.map { $0 / channelSize / VoiceChannel.channelsPerGuild })
                        #expect(guilds.allSatisfy { $0 % count == shard.index })
                    }
                }
            }
        }
    }

    @Test("DISCORD_SHARD_INDEX/COUNT are checked, and a sharded fleet takes 500 speakers per shard")
    func settings() throws {
        let sharded = try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord, environment: [
            "DISCORD_SHARD_INDEX": "1", "DISCORD_SHARD_COUNT": "2", "DISCORD_SPEAKERS": "1000",
        ]))
        #expect(sharded.shard == BridgeShard(index: 1, count: 2) && sharded.speakers == 1000)
        #expect(try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord)).shard == .single)
        for environment in [["DISCORD_SHARD_INDEX": "2", "DISCORD_SHARD_COUNT": "2"],
                            ["DISCORD_SHARD_INDEX": "1"],
                            ["DISCORD_SHARD_COUNT": "0"], ["DISCORD_SHARD_COUNT": "65"],
                            ["DISCORD_SHARD_COUNT": "2", "DISCORD_SPEAKERS": "1001"]] {
            #expect(throws: SettingsError.self, "\(environment)") {
                try DiscordConfig(settings: ServiceSettings.forTesting(member: .discord, environment: environment))
            }
        }
    }

    @Test("a shard's bridge seats only its guilds' speakers, with the names and channels one bridge gives them")
    func shardRoster() async throws {
        let environment = ["DISCORD_AUTOSTART": "false", "DISCORD_CHANNEL_SIZE": "1", "DISCORD_SPEAKERS": "12"]
        let whole = try await Self.roster(environment)
        #expect(whole.count == 12)
        var shards: [SpeakerStatus] = []
        for index in 0..<2 {
            let share = try await Self.roster(environment.merging([
                "DISCORD_SHARD_INDEX": "\(index)", "DISCORD_SHARD_COUNT": "2",
            ]) { $1 })
            // Five one-speaker channels a guild: guild-1 and guild-3 on shard 0, guild-2 on shard 1.
            #expect(Set(share.map(\.guild)) == (index == 0 ? ["guild-1", "guild-3"] : ["guild-2"]))
            shards += share
        }
        let key = { (status: SpeakerStatus) in "\(status.name)|\(status.voice)|\(status.guild)|\(status.channel)" }
        #expect(shards.map(key).sorted() == whole.map(key).sorted())
    }

    @Test("PUT /voice/load on a shard takes the fleet's total and keeps its share")
    func shardLoad() async throws {
        let built = try await testApplication(DiscordService.self, environment: [
            "DISCORD_AUTOSTART": "false", "DISCORD_SHARD_INDEX": "1", "DISCORD_SHARD_COUNT": "2", "DISCORD_SPEAKERS": "0",
        ], peers: DiscordService.Peers(audioProcessor: FakeAudioProcessor(), stt: FakeTranscriber(),
                                       orchestrator: FakeOrchestrator()))
        try await built.application.test(.router) { client in
            // Four-speaker channels, five a guild: speakers 20...39 are guild-2's, shard 1's.
            for (fleet, share) in [(100, 40), (30, 10), (1000, 500), (20, 0)] {
                let response = try await client.execute(uri: "/voice/load", method: .put, headers: [.contentType: MediaType.json],
                                                        body: ByteBuffer(string: #"{"speakers": \#(fleet)}"#))
                #expect(response.status == .ok)
                let body = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(body?["speakers"] as? Int == share, "fleet of \(fleet)")
            }
            let refused = try await client.execute(uri: "/voice/load", method: .put, headers: [.contentType: MediaType.json],
                                                   body: ByteBuffer(string: #"{"speakers": 1001}"#))
            #expect(refused.status == .badRequest)
            #expect(String(buffer: refused.body).contains("between 0 and 1000"))
        }
    }

    /// The roster of a bridge built with `environment`, as /voice/status lists it.
    private static func roster(_ environment: [String: String]) async throws -> [SpeakerStatus] {
        let built = try await testApplication(DiscordService.self, environment: environment,
                                              peers: DiscordService.Peers(audioProcessor: FakeAudioProcessor(),
                                                                          stt: FakeTranscriber(), orchestrator: FakeOrchestrator()))
        let fleet = try #require(built.background.first as? VoiceFleet)
        return await fleet.roster.all
    }
}
