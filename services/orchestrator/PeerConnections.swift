public import ServiceKit

/// A peer the orchestrator calls, as readiness and GET /mcp/connections list it.
public struct PeerConnection: Sendable {
    public var peer: any Peer
    public var required: Bool

    public init(_ peer: any Peer, required: Bool) {
        self.peer = peer
        self.required = required
    }
}

extension OrchestratorService.Peers {
    /// Every peer, in the order GET /mcp/connections lists them. All three are required for
    /// readiness: a turn fails without guardrails or the model, and speaks without synthesis only
    /// as a fallback (see `TurnOrchestrator`).
    public var connections: [PeerConnection] {
        [PeerConnection(guardrails, required: true), PeerConnection(languageModel, required: true),
         PeerConnection(speech, required: true)]
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
            for (index, connection) in peers.enumerated() {
                group.addTask {
                    let live = await connection.peer.isLive()
                    return (index, Entry(service: connection.peer.name, url: connection.peer.url,
                                         status: live ? "connected" : "unreachable", required: connection.required))
                }
            }
            var found: [(Int, Entry)] = []
            for await entry in group { found.append(entry) }
            return found.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return ConnectionList(connections: entries)
    }
}
