/// A service this one calls, as its readiness report and `/mcp/connections` see it.
///
/// Every contract in FleetContracts (`Transcriber`, `LanguageModel`, ...) is a `Peer`, so a service
/// receives its peers as protocols: the runner passes the HTTP clients, a test passes in-memory
/// fakes, and the service's code cannot tell which.
public protocol Peer: Sendable {
    /// The peer's service name (`stt`, `llm-flan`): the readiness report's key, errors' prefix.
    var name: String { get }
    /// Its base URL.
    var url: String { get }
    /// Whether it answers `/health/live` right now.
    func isLive() async -> Bool
}

/// A contract client that speaks HTTP through a `DownstreamClient`: it is that client's peer.
public protocol HTTPPeer: Peer {
    var client: DownstreamClient { get }
}

extension HTTPPeer {
    public var name: String { client.name }
    public var url: String { client.url }
    public func isLive() async -> Bool { await client.isLive() }
}

/// The peers of a service that calls none.
public struct NoPeers: Sendable {
    public init() {}
}
