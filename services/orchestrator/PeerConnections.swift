import ServiceKit

/// A peer the orchestrator calls, and how to ask whether it is up right now.
public struct PeerConnection: Sendable {
    public var service: String
    public var url: String
    public var required: Bool
    public var isLive: @Sendable () async -> Bool

    public init(service: String, url: String, required: Bool, isLive: @escaping @Sendable () async -> Bool) {
        self.service = service
        self.url = url
        self.required = required
        self.isLive = isLive
    }

    /// A connection probed through the peer client's own `/health/live` check.
    public init(_ client: DownstreamClient, required: Bool) {
        self.init(service: client.peer, url: client.baseURL, required: required, isLive: client.isLive)
    }
}

/// GET /mcp/connections's body: every peer with its live status, probed now (in parallel).
public struct ConnectionList: Codable, Sendable, Equatable {
    public struct Entry: Codable, Sendable, Equatable {
        public var service: String
        public var url: String
        /// `connected` or `unreachable`.
        public var status: String
        public var required: Bool
    }

    public var connections: [Entry]

    public static func probe(_ peers: [PeerConnection]) async -> ConnectionList {
        let entries = await withTaskGroup(of: (Int, Entry).self) { group in
            for (index, peer) in peers.enumerated() {
                group.addTask {
                    let live = await peer.isLive()
                    return (index, Entry(service: peer.service, url: peer.url,
                                         status: live ? "connected" : "unreachable", required: peer.required))
                }
            }
            var found: [(Int, Entry)] = []
            for await entry in group { found.append(entry) }
            return found.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return ConnectionList(connections: entries)
    }
}
