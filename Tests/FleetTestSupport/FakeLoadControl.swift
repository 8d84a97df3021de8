public import FleetContracts
public import ServiceKit

/// A voice bridge's load endpoint that keeps the speaker count in memory and spreads the speakers
/// over channels of `channelSize`, as the bridge does. It remembers every change asked of it.
public actor FakeLoadControl: LoadControl, InMemoryPeer {
    public nonisolated let name = "discord"
    let channelSize: Int
    let failure: FleetError?
    public private(set) var speakers: Int
    public private(set) var changes: [LoadChange] = []

    /// `failure`, when set, is thrown by every call, and the fake reads as down to a liveness probe.
    public init(speakers: Int = 3, channelSize: Int = 8, failure: FleetError? = nil) {
        self.speakers = speakers
        self.channelSize = channelSize
        self.failure = failure
    }

    public func isLive() async -> Bool { failure == nil }

    public func currentLoad() async throws -> VoiceLoad {
        if let failure { throw failure }
        return load
    }

    public func setLoad(_ change: LoadChange) async throws -> VoiceLoad {
        changes.append(change)
        if let failure { throw failure }
        speakers = change.speakers
        return load
    }

    private var load: VoiceLoad {
        VoiceLoad(speakers: speakers, channels: (speakers + channelSize - 1) / channelSize, channelSize: channelSize)
    }
}
