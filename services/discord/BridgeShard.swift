/// Which part of the simulated Discord this bridge serves, as a real bot's gateway shards split
/// guilds: shard `index` of `count` serves the guilds whose number g (from 0) has g % count == index.
///
/// Every shard numbers speakers, channels and guilds as one unsharded bridge would, and each gets
/// the same fleet-wide load (DISCORD_SPEAKERS, PUT /voice/load): so n shards together simulate
/// exactly the speakers one bridge would, with the same names, voices and channels, each once.
/// Whole guilds go to one shard because a channel's floor and voice cannot be shared across
/// processes, and guilds keep a shard's channels together as Discord's own sharding does.
public struct BridgeShard: Sendable, Equatable, CustomStringConvertible {
    /// The most shards a fleet may be split into.
    public static let maxCount = 64

    public let index: Int
    public let count: Int

    /// The whole fleet in one bridge.
    public static let single = BridgeShard(validIndex: 0, count: 1)

    private init(validIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// nil unless 1 <= count <= maxCount and 0 <= index < count.
    public init?(index: Int, count: Int) {
        guard (1...Self.maxCount).contains(count), (0..<count).contains(index) else { return nil }
        self.init(validIndex: index, count: count)
    }

    /// "i/n", as `audio-fleet serve discord --shard 1/4` takes it.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the guild numbered `guild` (from 0) is this shard's.
    func owns(guild: Int) -> Bool { guild % count == index }

    /// Whether speaker `speaker` (from 0, fleet-wide) is this shard's: their channel's guild is.
    func owns(speaker: Int, channelSize: Int) -> Bool {
        owns(guild: speaker / channelSize / VoiceChannel.channelsPerGuild)
    }

    /// The fleet-wide speaker numbers this shard simulates when the fleet has `total` speakers.
    func speakers(ofFleet total: Int, channelSize: Int) -> [Int] {
        (0..<total).filter { owns(speaker: $0, channelSize: channelSize) }
    }

    /// The most speakers a fleet of `count` shards accepts: each bridge carries up to the
    /// single-bridge limit, so a sharded fleet grows with its shards.
    func fleetLimit(perBridge: Int) -> Int { perBridge * count }
}
