import Foundation
public import Hummingbird
import NIOHTTP1
public import ServiceKit

/// discord: GET /voice/load -> how many simulated speakers talk, over how many voice channels;
/// PUT /voice/load `{"speakers": n}` changes it while the bridge runs and answers the new load.
public struct VoiceLoad: Codable, Sendable, Equatable {
    /// Simulated speakers talking now.
    public var speakers: Int
    /// Voice channels they are spread over, each with its own floor.
    public var channels: Int
    /// Speakers per channel at most.
    public var channelSize: Int

    public init(speakers: Int, channels: Int, channelSize: Int) {
        self.speakers = speakers
        self.channels = channels
        self.channelSize = channelSize
    }
}

/// PUT /voice/load's body.
public struct LoadChange: Codable, Sendable, Equatable {
    public var speakers: Int

    /// The speaker counts the bridge accepts: from an idle fleet to a busy one.
    public static let speakerRange = 0...500

    public init(speakers: Int) {
        self.speakers = speakers
    }

    /// Why this change cannot be made, in words for the person who asked; nil when it can.
    public var problem: String? { problem(upTo: Self.speakerRange.upperBound) }

    /// The same for a fleet that takes up to `maximum` speakers (a sharded bridge's fleet takes
    /// `speakerRange`'s top once per shard).
    public func problem(upTo maximum: Int) -> String? {
        (Self.speakerRange.lowerBound...maximum).contains(speakers) ? nil
            : "'speakers' is \(speakers); it must be between \(Self.speakerRange.lowerBound) and \(maximum)."
    }
}

/// What the testing-ui's load control needs from the voice bridge.
public protocol LoadControl: Peer {
    func currentLoad() async throws -> VoiceLoad
    func setLoad(_ change: LoadChange) async throws -> VoiceLoad
}

/// The voice bridge's load endpoint over HTTP.
public struct LoadControlClient: LoadControl, HTTPPeer {
    public let client: DownstreamClient

    public static let path = "/voice/load"

    public init(_ client: DownstreamClient) {
        self.client = client
    }

    public func currentLoad() async throws -> VoiceLoad {
        try await client.send(.GET, Self.path).decode(VoiceLoad.self, from: name)
    }

    public func setLoad(_ change: LoadChange) async throws -> VoiceLoad {
        let body = Array(try JSONEncoder.fleet.encode(change))
        return try await client.send(.PUT, Self.path, body: body, contentType: MediaType.json)
            .decode(VoiceLoad.self, from: name)
    }
}

extension VoiceLoad: ResponseEncodable {}
